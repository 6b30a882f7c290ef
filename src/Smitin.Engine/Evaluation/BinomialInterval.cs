namespace Smitin.Evaluation;

/// <summary>Confidence intervals of a success rate k/n.</summary>
public static class BinomialInterval
{
    /// <summary>z of a two-sided 95 % normal interval.</summary>
    public const double Z95 = 1.959963984540054;

    /// <summary>
    /// Wilson score interval (Wilson 1927; Agresti &amp; Coull 1998 recommend it over the Wald interval for small n or
    /// rates near 0 and 1): centre (k + z²/2)/(n + z²), half-width z·√(k(n−k)/n + z²/4)/(n + z²). Clamped to [0, 1].
    /// </summary>
    /// <exception cref="SmitinException">n &lt; 1 or k outside [0, n]</exception>
    public static (double Low, double High) Wilson(int successes, int n, double z = Z95)
    {
        if (n < 1) throw new SmitinException($"binomial interval: n = {n}, expected at least 1 trial");
        if (successes < 0 || successes > n) throw new SmitinException($"binomial interval: {successes} successes of {n} trials");
        double k = successes, z2 = z * z;
        double centre = (k + z2 / 2) / (n + z2);
        double half = z * Math.Sqrt(k * (n - k) / n + z2 / 4) / (n + z2);
        return (Math.Max(0, centre - half), Math.Min(1, centre + half));
    }
}
