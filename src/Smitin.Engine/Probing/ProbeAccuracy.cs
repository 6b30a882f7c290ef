namespace Smitin.Probing;

/// <summary>Accuracy of a linear probe: predicted "has the trait" when w·z + b &gt; 0 (ML.NET's and scikit-learn's rule).</summary>
public static class ProbeAccuracy
{
    /// <summary>Fraction of rows of <paramref name="x"/> (N, D) whose prediction equals the label; NaN for N = 0.</summary>
    public static float Of(ReadOnlySpan<float> w, float b, ReadOnlySpan<float> x, ReadOnlySpan<bool> labels)
    {
        int d = w.Length, n = labels.Length, correct = 0;
        if (n == 0) return float.NaN;
        for (int i = 0; i < n; i++)
        {
            if ((Score(w, b, x.Slice(i * d, d)) > 0) == labels[i]) correct++;
        }
        return (float)correct / n;
    }

    /// <summary>The probe's score wᵀz + b (its logit) in double precision.</summary>
    public static double Score(ReadOnlySpan<float> w, float b, ReadOnlySpan<float> z)
    {
        double s = b;
        for (int j = 0; j < w.Length; j++) s += (double)w[j] * z[j];
        return s;
    }
}
