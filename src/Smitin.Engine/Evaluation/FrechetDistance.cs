using Smitin.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace Smitin.Evaluation;

/// <summary>
/// Fréchet distance between two Gaussians fitted to embeddings, as FAD (Kilgour et al. 2019) and FID:
/// |μ₁ − μ₂|² + tr Σ₁ + tr Σ₂ − 2 tr (Σ₁^½ Σ₂ Σ₁^½)^½, computed in float64 with symmetric eigendecompositions (the
/// inner matrix is symmetric positive semi-definite, so no complex square roots are needed; tiny negative eigenvalues
/// from rounding are clamped to 0). Covariances are the unbiased (n − 1) estimates, as numpy's <c>np.cov</c>.
/// </summary>
public static class FrechetDistance
{
    /// <summary>Mean (D) and covariance (D, D) of rows (N, D), float64.</summary>
    public static (double[] Mean, double[,] Covariance) Statistics(float[][] rows)
    {
        if (rows.Length < 2) throw new SmitinException($"Fréchet distance: {rows.Length} embedding(s); expected at least 2 to estimate a covariance");
        int d = rows[0].Length;
        if (rows.Any(r => r.Length != d)) throw new SmitinException("Fréchet distance: embeddings of different lengths");
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(rows.SelectMany(r => r.Select(v => (double)v)).ToArray(), [rows.Length, d], ScalarType.Float64); // (N, D)
        var mu = x.mean([0]);                                                                                             // (D)
        var xc = x - mu;
        using var dof = (rows.Length - 1).ToScalar();                                                                      // held (Scalars)
        var cov = xc.t().matmul(xc).div(dof);                                                                             // (D, D)
        var covArr = new double[d, d];
        var flat = cov.contiguous().data<double>().ToArray();
        for (int i = 0; i < d; i++) for (int j = 0; j < d; j++) covArr[i, j] = flat[i * d + j];
        return (mu.data<double>().ToArray(), covArr);
    }

    /// <summary>The distance between the Gaussians of two embedding sets (N₁, D) and (N₂, D).</summary>
    public static double Between(float[][] a, float[][] b)
    {
        var (m1, s1) = Statistics(a);
        var (m2, s2) = Statistics(b);
        return Between(m1, s1, m2, s2);
    }

    /// <summary>The distance between N(μ₁, Σ₁) and N(μ₂, Σ₂).</summary>
    public static double Between(double[] mu1, double[,] sigma1, double[] mu2, double[,] sigma2)
    {
        int d = mu1.Length;
        if (mu2.Length != d || sigma1.GetLength(0) != d || sigma2.GetLength(0) != d)
            throw new SmitinException($"Fréchet distance: dimensions differ ({d} vs {mu2.Length})");
        using var scope = torch.NewDisposeScope();
        var s1 = ToTensor(sigma1); var s2 = ToTensor(sigma2);                                                              // (D, D)
        var root1 = SqrtPsd(s1);
        var inner = root1.matmul(s2).matmul(root1);
        inner = inner.add(inner.t(), Scalars.One).div(Scalars.Two);                                                       // symmetric up to rounding
        var eig = torch.linalg.eigvalsh(inner).clamp_min(Scalars.Zero).sqrt().sum().item<double>();
        double diff = 0;
        for (int i = 0; i < d; i++) diff += (mu1[i] - mu2[i]) * (mu1[i] - mu2[i]);
        double fd = diff + s1.trace().item<double>() + s2.trace().item<double>() - 2 * eig;
        return Math.Max(0, fd);
    }

    static Tensor ToTensor(double[,] m)
    {
        int d = m.GetLength(0);
        var flat = new double[d * d];
        Buffer.BlockCopy(m, 0, flat, 0, flat.Length * sizeof(double));
        return torch.tensor(flat, [d, d], ScalarType.Float64);
    }

    static Tensor SqrtPsd(Tensor s)
    {
        var (vals, vecs) = torch.linalg.eigh(s.add(s.t(), Scalars.One).div(Scalars.Two));
        return vecs.matmul(torch.diag(vals.clamp_min(Scalars.Zero).sqrt())).matmul(vecs.t());
    }
}
