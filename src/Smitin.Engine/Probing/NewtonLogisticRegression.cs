using Smitin.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace Smitin.Probing;

/// <summary>
/// Batched Newton/IRLS for L2-regularised logistic regression in TorchSharp float64: the independent reference
/// for <see cref="MlNetLogisticRegression"/>. It minimises scikit-learn's objective divided by C·n (same minimiser):
/// <c>F(w,b) = (1/n)·Σᵢ [softplus(sᵢ) − yᵢ·sᵢ] + |w|²/(2·C·n)</c>, <c>sᵢ = w·xᵢ + b</c>, <c>yᵢ ∈ {0,1}</c>,
/// intercept unpenalised. Each iteration solves <c>H·Δ = −g</c> per problem with
/// <c>H = X̃ᵀ·diag(p(1−p))·X̃ / n + diag(1/(C·n), …, 1/(C·n), 0)</c> and backtracks (Armijo) per problem.
/// F is strictly convex in w and, given any both-class data, in b, so Newton converges quadratically from zero.
/// </summary>
public static class NewtonLogisticRegression
{
    // held scalars (Scalars): a temporary scalar may be freed during the native call
    static readonly Scalar Half = 0.5.ToScalar();
    static readonly Scalar ArmijoFraction = 1e-4.ToScalar();
    static readonly Scalar RoundOff = 1e-15.ToScalar();

    /// <summary>Solution of P problems: w (P, D), b (P), iterations used, final max |∇F| over all problems.</summary>
    public sealed record Result(double[,] W, double[] B, int Iterations, double MaxGradient);

    /// <param name="x">(P, N, D) features, any float dtype.</param>
    /// <param name="y">(P, N) labels, 1 = positive.</param>
    /// <param name="gradientTolerance">stop when max |∇F| &lt;= this (F is a mean, so this is scale-free in n).</param>
    /// <param name="c">inverse regularisation strength C (scikit-learn's), &gt; 0</param>
    /// <param name="maxIterations">Newton iteration cap</param>
    public static Result Fit(Tensor x, Tensor y, double c = 1.0, int maxIterations = 100, double gradientTolerance = 1e-12)
    {
        if (x.dim() != 3 || y.dim() != 2 || y.shape[0] != x.shape[0] || y.shape[1] != x.shape[1])
            throw new ArgumentException($"newton logistic regression: x {Shape(x)} must be (P, N, D) and y {Shape(y)} (P, N)");
        if (!(c > 0)) throw new ArgumentException($"C = {c}: expected > 0");
        long p = x.shape[0], n = x.shape[1], d = x.shape[2];
        using var scope = torch.NewDisposeScope();

        var xt = torch.cat([x.to_type(ScalarType.Float64), torch.ones(p, n, 1, ScalarType.Float64)], 2); // (P, N, D+1)
        var yt = y.to_type(ScalarType.Float64);                                                       // (P, N)
        using var regValue = (1.0 / (c * n)).ToScalar();
        using var count = n.ToScalar();
        var reg = torch.cat([torch.full(d, regValue, ScalarType.Float64), torch.zeros(1, ScalarType.Float64)]); // (D+1)
        var theta = torch.zeros(p, d + 1, ScalarType.Float64);                                        // (P, D+1)

        Tensor Objective(Tensor th)                                                                   // (P)
        {
            var s = torch.bmm(xt, th.unsqueeze(-1)).squeeze(-1);                                      // (P, N)
            return (Scalars.Softplus(s) - yt * s).mean([1]).add((reg * th * th).sum(1).mul(Half), Scalars.One);
        }

        int it = 0;
        double maxGrad = double.PositiveInfinity;
        for (; it < maxIterations; it++)
        {
            using var iter = torch.NewDisposeScope();
            var s = torch.bmm(xt, theta.unsqueeze(-1)).squeeze(-1);                                   // (P, N)
            var prob = torch.sigmoid(s);
            var g = torch.bmm(xt.transpose(1, 2), (prob - yt).div(count).unsqueeze(-1)).squeeze(-1).add(reg * theta, Scalars.One); // (P, D+1)
            maxGrad = g.abs().max().item<double>();
            if (maxGrad <= gradientTolerance) break;

            var wgt = (prob * prob.negative().add(Scalars.One, Scalars.One)).div(count).unsqueeze(-1); // (P, N, 1): p(1 - p)/n
            var h = torch.bmm(xt.transpose(1, 2), xt * wgt).add(torch.diag(reg), Scalars.One);      // (P, D+1, D+1)
            var step = torch.linalg.solve(h, -g);                                                     // (P, D+1)
            var f0 = Objective(theta);
            var slope = (g * step).sum(1);                                                            // (P), < 0
            var t = torch.ones(p, ScalarType.Float64);
            for (int k = 0; k < 40; k++)
            {
                var fNew = Objective(theta.add(t.unsqueeze(-1) * step, Scalars.One));
                // Armijo with a round-off allowance: near the optimum F changes by ~1e-17 and exact comparisons flap.
                var ok = fNew <= f0.add(t.mul(ArmijoFraction) * slope, Scalars.One).add(f0.abs().mul(RoundOff), Scalars.One);
                if (ok.all().item<bool>()) break;
                t = torch.where(ok, t, t.div(Scalars.Two));
            }
            theta.copy_(theta.add(t.unsqueeze(-1) * step, Scalars.One));
        }

        var th64 = theta.contiguous();
        var flat = th64.data<double>().ToArray();
        var w = new double[p, d];
        var b = new double[p];
        for (long i = 0; i < p; i++)
        {
            for (long j = 0; j < d; j++) w[i, j] = flat[i * (d + 1) + j];
            b[i] = flat[i * (d + 1) + d];
        }
        return new Result(w, b, it, maxGrad);
    }

    /// <summary>The objective F above (scikit-learn's divided by C·n) for one problem, in float64.</summary>
    public static double Objective(ReadOnlySpan<float> x, ReadOnlySpan<bool> labels, ReadOnlySpan<double> w, double b, double c)
    {
        int n = labels.Length, d = w.Length;
        double loss = 0, ww = 0;
        for (int i = 0; i < n; i++)
        {
            double s = b;
            for (int j = 0; j < d; j++) s += w[j] * x[i * d + j];
            // softplus(s) - y·s, computed stably
            double sp = s > 0 ? s + Math.Log(1 + Math.Exp(-s)) : Math.Log(1 + Math.Exp(s));
            loss += sp - (labels[i] ? s : 0);
        }
        for (int j = 0; j < d; j++) ww += w[j] * w[j];
        return loss / n + ww / (2 * c * n);
    }

    static string Shape(Tensor t) => "[" + string.Join(", ", t.shape) + "]";
}
