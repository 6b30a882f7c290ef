namespace Smitin;

/// <summary>
/// The median as numpy computes it (<c>numpy.median</c>): the middle value of an odd count, the mean of the middle two
/// of an even count, in double. The one median of the code base: the monitor C(t) (<see cref="Steering.MonitorStatistics"/>),
/// the default τ (<see cref="Probing.ProbeStatistics.DefaultTau"/>) and the probe summaries use it.
/// </summary>
public static class Median
{
    /// <summary>Median of values already in ascending order (no copy, no allocation: for per-step paths).</summary>
    /// <exception cref="ArgumentException"><paramref name="sorted"/> is empty.</exception>
    public static double OfSorted(ReadOnlySpan<float> sorted)
    {
        int n = sorted.Length;
        if (n == 0) throw new ArgumentException("median of no values", nameof(sorted));
        return n % 2 == 1 ? sorted[n / 2] : ((double)sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /// <summary>Median of values already in ascending order.</summary>
    /// <exception cref="ArgumentException"><paramref name="sorted"/> is empty.</exception>
    public static double OfSorted(ReadOnlySpan<double> sorted)
    {
        int n = sorted.Length;
        if (n == 0) throw new ArgumentException("median of no values", nameof(sorted));
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /// <summary>Median of <paramref name="values"/> in any order (sorts a copy).</summary>
    /// <exception cref="ArgumentException"><paramref name="values"/> is empty.</exception>
    public static double Of(IEnumerable<float> values) => OfSorted(values.Select(v => (double)v).Order().ToArray());

    /// <summary>Median of <paramref name="values"/> in any order (sorts a copy).</summary>
    /// <exception cref="ArgumentException"><paramref name="values"/> is empty.</exception>
    public static double Of(IEnumerable<double> values) => OfSorted(values.Order().ToArray());
}
