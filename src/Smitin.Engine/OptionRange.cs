using System.Globalization;

namespace Smitin;

/// <summary>
/// The range checks of the option records (<see cref="Generation.GenerationOptions"/>, <see cref="Steering.SteeringOptions"/>,
/// <see cref="Probing.ProbeSetOptions"/>, <see cref="Data.SegmentOptions"/>, <see cref="Data.Synth.SynthOptions"/>):
/// one wording for every option, naming the option, the value and the accepted range.
/// Numeric knobs end up in float32 tensor arithmetic, where a finite double such as 1e39 is +∞ (float32 max ≈ 3.4e38)
/// and a denormal such as 1e-45 divides to +∞; each record therefore bounds its knobs to values whose products with
/// model activations and logits stay finite in float32, and says why in the bound's docstring.
/// </summary>
public static class OptionRange
{
    /// <summary>Throws unless <paramref name="value"/> is a finite number in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    /// <exception cref="SmitinException">NaN, ±∞ or out of range; the message names <paramref name="option"/>.</exception>
    public static double Check(string option, double value, double min, double max, string? why = null)
    {
        if (double.IsFinite(value) && value >= min && value <= max) return value;
        throw new OptionException(option, $"{Text(value)}: expected a finite number in [{Text(min)}, {Text(max)}]{Why(why)}");
    }

    /// <summary>Throws unless <paramref name="value"/> is finite and &gt; <paramref name="exclusiveMin"/> and &lt;= <paramref name="max"/>.</summary>
    /// <exception cref="SmitinException">NaN, ±∞ or out of range; the message names <paramref name="option"/>.</exception>
    public static double CheckAbove(string option, double value, double exclusiveMin, double max, string? why = null)
    {
        if (double.IsFinite(value) && value > exclusiveMin && value <= max) return value;
        throw new OptionException(option, $"{Text(value)}: expected a finite number in ({Text(exclusiveMin)}, {Text(max)}]{Why(why)}");
    }

    /// <summary>Throws unless <paramref name="value"/> is an integer in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    /// <exception cref="SmitinException">Out of range; the message names <paramref name="option"/>.</exception>
    public static long Check(string option, long value, long min, long max, string? why = null)
    {
        if (value >= min && value <= max) return value;
        throw new OptionException(option, $"{value.ToString(CultureInfo.InvariantCulture)}: expected an integer in [{min.ToString(CultureInfo.InvariantCulture)}, {(max == int.MaxValue ? "2147483647" : max.ToString(CultureInfo.InvariantCulture))}]{Why(why)}");
    }

    /// <summary>Invariant, round-trippable text of a double (1E+39, NaN, ∞ spelled as .NET parses them).</summary>
    public static string Text(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    static string Why(string? why) => why is null ? "" : " (" + why + ")";
}
