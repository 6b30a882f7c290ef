namespace Smitin.Steering;

/// <summary>Summary of the M monitor probabilities of one trait, one sample, one step.</summary>
public readonly record struct MonitorStatistics(float Median, float Mean, float Std, float Min, float Max)
{
    /// <summary>
    /// Median (<see cref="Smitin.Median"/>: numpy's, the mean of the middle two for an even count), mean, population std, min and max of
    /// <paramref name="p"/>, in double. <paramref name="scratch"/> (same length) is overwritten.
    /// </summary>
    public static MonitorStatistics Of(ReadOnlySpan<float> p, Span<float> scratch)
    {
        int m = p.Length;
        if (m == 0) throw new ArgumentException("no monitor probabilities", nameof(p));
        p.CopyTo(scratch);
        var sorted = scratch[..m];
        sorted.Sort();
        double median = Smitin.Median.OfSorted(sorted);
        double sum = 0, sum2 = 0;
        foreach (float v in sorted) sum += v;
        double mean = sum / m;
        foreach (float v in sorted) sum2 += (v - mean) * (v - mean);
        return new((float)median, (float)mean, (float)Math.Sqrt(sum2 / m), sorted[0], sorted[m - 1]);
    }
}
