namespace Smitin.Probing;

/// <summary>
/// The per-head quantities of docs/method.md §4.1 "Per-head quantities", computed from fitted probes and the probing
/// activations.
/// All arrays are row-major over (layer, head[, dim]); sums are taken in double.
/// </summary>
public static class ProbeStatistics
{
    /// <summary>Per-class means over the whole probing set: (μ₊, μ₋), each (L, H, D).</summary>
    public static (float[] Positive, float[] Negative) ClassMeans(ActivationSet all)
    {
        int len = all.RowLength;
        var sp = new double[len]; var sn = new double[len];
        for (int n = 0; n < all.Count; n++)
        {
            var row = all.Values.AsSpan(n * len, len);
            var acc = all.Labels[n] ? sp : sn;
            for (int j = 0; j < len; j++) acc[j] += row[j];
        }
        int np = all.PositiveCount, nn = all.NegativeCount;
        if (np == 0 || nn == 0) throw new SmitinException($"class means need both classes ({np} with the trait, {nn} without)");
        return (sp.Select(v => (float)(v / np)).ToArray(), sn.Select(v => (float)(v / nn)).ToArray());
    }

    /// <summary>θ (L, H, D): every head's vector <paramref name="raw"/> (w, or μ₊ − μ₋) scaled to unit length.</summary>
    public static float[] UnitDirections(float[] raw, int headDim)
    {
        var theta = new float[raw.Length];
        for (int i = 0; i < raw.Length; i += headDim)
        {
            double norm = 0;
            for (int j = 0; j < headDim; j++) norm += (double)raw[i + j] * raw[i + j];
            norm = Math.Sqrt(norm);
            if (norm == 0) throw new SmitinException($"head {i / headDim}: direction has zero length (a constant activation or a zero probe)");
            for (int j = 0; j < headDim; j++) theta[i + j] = (float)(raw[i + j] / norm);
        }
        return theta;
    }

    /// <summary>σ (L, H): population standard deviation over the probing set of θᵀz, per head.</summary>
    public static float[] ProjectionStd(ActivationSet all, float[] theta)
    {
        int heads = all.HeadCount, d = all.HeadDim;
        var sigma = new float[heads];
        Parallel.For(0, heads, i =>
        {
            var t = theta.AsSpan(i * d, d);
            double s = 0, ss = 0;
            for (int n = 0; n < all.Count; n++)
            {
                double proj = ProbeAccuracy.Score(t, 0, all.Get(n, i / all.Heads, i % all.Heads));
                s += proj; ss += proj * proj;
            }
            double mean = s / all.Count;
            sigma[i] = (float)Math.Sqrt(Math.Max(0, ss / all.Count - mean * mean));
        });
        return sigma;
    }

    /// <summary>
    /// ω (L, H) = ((a − a_min) / (a_max − a_min))^p. When every head has the same accuracy the normalisation is
    /// undefined; every head then gets ω = 1 (no head is preferred).
    /// </summary>
    public static float[] SoftWeights(float[] accuracy, double p)
    {
        float min = accuracy.Min(), max = accuracy.Max();
        if (max == min) return Enumerable.Repeat(1f, accuracy.Length).ToArray();
        return accuracy.Select(a => (float)Math.Pow((a - (double)min) / (max - (double)min), p)).ToArray();
    }

    /// <summary>Flat indices l*H + h of the <paramref name="m"/> most accurate heads; ties go to the lower index.</summary>
    public static int[] TopHeads(float[] accuracy, int m) =>
        Enumerable.Range(0, accuracy.Length).OrderByDescending(i => accuracy[i]).ThenBy(i => i).Take(m).ToArray();

    /// <summary>τ = median(a) − std(a) over all heads (population std, numpy's default; median of an even count = mean of the middle two).</summary>
    public static double DefaultTau(float[] accuracy)
    {
        var sorted = accuracy.Select(a => (double)a).OrderBy(a => a).ToArray();
        int n = sorted.Length;
        double median = Median.OfSorted(sorted);
        double mean = sorted.Average();
        double std = Math.Sqrt(sorted.Sum(a => (a - mean) * (a - mean)) / n);
        return median - std;
    }
}
