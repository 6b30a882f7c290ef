using Smitin.Probing;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Smitin.Tests.Probing;

/// <summary>ML.NET's L-BFGS probes against the independent float64 Newton/IRLS solver on the same objective.</summary>
public class LogisticRegressionAgreementTests(ITestOutputHelper output)
{
    /// <summary>P problems of N rows × D features with unequal feature scales and noisy labels (not separable).</summary>
    static (float[][] X, bool[][] Y) Synthetic(int problems, int n, int d, int seed)
    {
        var rng = new Random(seed);
        double Gauss() => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
        var xs = new float[problems][];
        var ys = new bool[problems][];
        for (int p = 0; p < problems; p++)
        {
            var scale = Enumerable.Range(0, d).Select(_ => 0.3 + 2 * rng.NextDouble()).ToArray();
            var wTrue = Enumerable.Range(0, d).Select(_ => Gauss()).ToArray();
            double bTrue = 0.5 * Gauss();
            xs[p] = new float[n * d];
            ys[p] = new bool[n];
            for (int i = 0; i < n; i++)
            {
                double s = bTrue;
                for (int j = 0; j < d; j++)
                {
                    float v = (float)(scale[j] * Gauss() + 0.2);
                    xs[p][i * d + j] = v;
                    s += wTrue[j] * v / scale[j];
                }
                ys[p][i] = rng.NextDouble() < 1 / (1 + Math.Exp(-s));
            }
        }
        return (xs, ys);
    }

    /// <summary>
    /// Tolerances, derived rather than tuned: ML.NET stops when the mean relative improvement of the objective over
    /// its last 5 L-BFGS iterations is below <c>tol</c>. L-BFGS converges at least linearly, so the remaining gap is of
    /// the order of those last improvements; we allow <c>F(ml) − F* ≤ 10·tol·F*</c> (one decade of headroom; observed:
    /// ≤ 2.3·tol). F is μ-strongly convex near θ* (μ = smallest eigenvalue of its Hessian at θ*), so
    /// <c>|θ_ml − θ*| ≤ sqrt(2·gap/μ)</c>; scores then differ by at most that times |x̃|, so every row whose reference
    /// score is farther than this from 0 must get the same predicted class. A wrong L2 convention (λ = C, or λ
    /// scaled by n) moves the optimum by orders of magnitude more, especially at C = 0.05.
    /// </summary>
    [Theory]
    [InlineData(1.0, 300, 16, 1e-7f)]
    [InlineData(1.0, 300, 16, 1e-8f)]
    [InlineData(0.05, 200, 32, 1e-7f)]
    public void MlNetAndNewtonReachTheSameOptimum(double c, int n, int d, float tol)
    {
        Smitin.Native.TorchRuntime.Ensure();
        const int problems = 6;
        var (xs, ys) = Synthetic(problems, n, d, seed: 7 + d);

        using var x = torch.tensor(xs.SelectMany(a => a).ToArray(), new long[] { problems, n, d });
        using var y = torch.tensor(ys.SelectMany(a => a).Select(v => v ? 1.0 : 0.0).ToArray(), new long[] { problems, n });
        var newton = NewtonLogisticRegression.Fit(x, y, c);
        Assert.True(newton.MaxGradient <= 1e-12, $"Newton did not converge: max |grad| {newton.MaxGradient:E2} after {newton.Iterations} iterations");

        var ml = new MlNetLogisticRegression(new ProbeTrainingOptions { C = c, OptimizationTolerance = tol });
        for (int p = 0; p < problems; p++)
        {
            var (wm, bm) = ml.Fit(xs[p], ys[p], d);
            var wn = Enumerable.Range(0, d).Select(j => newton.W[p, j]).ToArray();
            double fStar = NewtonLogisticRegression.Objective(xs[p], ys[p], wn, newton.B[p], c);
            double fMl = NewtonLogisticRegression.Objective(xs[p], ys[p], wm.Select(v => (double)v).ToArray(), bm, c);
            double gap = fMl - fStar, gapBound = 10 * tol * fStar;
            double mu = SmallestHessianEigenvalue(xs[p], ys[p], wn, newton.B[p], c);
            double dist = Math.Sqrt(wn.Select((v, j) => (v - wm[j]) * (v - wm[j])).Sum() + (newton.B[p] - bm) * (newton.B[p] - bm));
            double distBound = Math.Sqrt(2 * gapBound / mu);
            output.WriteLine($"C={c} tol={tol} p={p}: F*={fStar:F8} gap={gap:E2} (bound {gapBound:E2}) |dθ|={dist:E2} (bound {distBound:E2}) |w|={Math.Sqrt(wn.Sum(v => v * v)):F3}");

            Assert.True(gap >= -1e-6 * tol * fStar, $"problem {p}: ML.NET objective {fMl} is below the Newton optimum {fStar}: Newton is not optimal");
            Assert.True(gap <= gapBound, $"problem {p}: ML.NET objective gap {gap:E3} exceeds 10·tol·F* = {gapBound:E3}");
            Assert.True(dist <= distBound, $"problem {p}: |θ_ml − θ*| = {dist:E3} exceeds sqrt(2·gap/μ) = {distBound:E3}");

            int decided = 0;
            for (int i = 0; i < n; i++)
            {
                var row = xs[p].AsSpan(i * d, d);
                double sStar = newton.B[p], sMl = bm, xNorm2 = 1;
                for (int j = 0; j < d; j++) { sStar += wn[j] * row[j]; sMl += wm[j] * row[j]; xNorm2 += row[j] * row[j]; }
                if (Math.Abs(sStar) <= distBound * Math.Sqrt(xNorm2)) continue;
                decided++;
                Assert.True(sStar > 0 == sMl > 0, $"problem {p} row {i}: Newton score {sStar:G6}, ML.NET score {sMl:G6}: predictions differ");
            }
            Assert.True(decided >= n * 9 / 10, $"problem {p}: only {decided} of {n} rows are outside the uncertainty band");
        }
    }

    [Fact]
    public void FitterGivesTheSameProbesWithEitherSolver()
    {
        Smitin.Native.TorchRuntime.Ensure();
        const int heads = 6, n = 240, d = 8;
        var (xs, ys) = Synthetic(heads, n, d, seed: 3);
        // Arrange as (N, L=2, H=3, D); every head gets its own problem but all share the labels of problem 0.
        var values = new float[n * heads * d];
        for (int i = 0; i < n; i++)
            for (int h = 0; h < heads; h++)
                xs[h].AsSpan(i * d, d).CopyTo(values.AsSpan((i * heads + h) * d, d));
        var all = new ActivationSet(values, ys[0], 2, 3, d);
        var train = all.Subset(Enumerable.Range(0, 180).ToArray());
        var val = all.Subset(Enumerable.Range(180, 60).ToArray());

        var a = ProbeFitter.Fit(train, val, new ProbeTrainingOptions { Solver = ProbeSolver.MlNet, OptimizationTolerance = 1e-8f });
        var b = ProbeFitter.Fit(train, val, new ProbeTrainingOptions { Solver = ProbeSolver.Newton });
        for (int i = 0; i < heads; i++)
        {
            // Same optimum => same accuracy on every row outside the band (checked above); here the datasets are
            // generic, so the accuracies agree exactly and the directions to the first few digits.
            Assert.Equal(b.ValidationAccuracy[i], a.ValidationAccuracy[i]);
            Assert.Equal(b.TrainAccuracy[i], a.TrainAccuracy[i]);
            var wa = a.W(i / 3, i % 3); var wb = b.W(i / 3, i % 3);
            double dot = 0, na = 0, nb = 0;
            for (int j = 0; j < d; j++) { dot += wa[j] * wb[j]; na += wa[j] * wa[j]; nb += wb[j] * wb[j]; }
            Assert.True(dot / Math.Sqrt(na * nb) > 1 - 1e-6, $"head {i}: cosine {dot / Math.Sqrt(na * nb)} between ML.NET and Newton weights");
        }
    }

    static double SmallestHessianEigenvalue(float[] x, bool[] y, double[] w, double b, double c)
    {
        int n = y.Length, d = w.Length;
        using var scope = torch.NewDisposeScope();
        var xt = torch.cat([torch.tensor(x, new long[] { n, d }).to_type(ScalarType.Float64), torch.ones(n, 1, ScalarType.Float64)], 1);
        var th = torch.tensor([.. w, b], ScalarType.Float64);
        var p = torch.sigmoid(xt.matmul(th));
        var h = xt.t().matmul(xt * (p * (1 - p) / n).unsqueeze(1));
        var reg = torch.cat([torch.full(d, 1.0 / (c * n), ScalarType.Float64), torch.zeros(1, ScalarType.Float64)]);
        h = h + torch.diag(reg);
        return torch.linalg.eigvalsh(h).min().item<double>();
    }
}
