using Smitin.Generation;

namespace Smitin.Interactive;

/// <summary>One generation of a comparison, with its label ("no control", "ITI", "SMITIN").</summary>
public sealed record ComparisonVariant(string Label, GenerationResult Result);

/// <summary>
/// The same prompt and seed generated several ways (<c>#!smitin compare</c>): shown as a table with a player per
/// variant, the steering settings and monitor figures, and one monitor chart for all of them.
/// </summary>
/// <param name="FrameRate">decoder steps per second of the model (time axis of the chart)</param>
public sealed record Comparison(IReadOnlyList<ComparisonVariant> Variants, double FrameRate)
{
    public ComparisonVariant this[string label] =>
        Variants.FirstOrDefault(v => string.Equals(v.Label, label, StringComparison.OrdinalIgnoreCase))
        ?? throw new KeyNotFoundException($"no variant '{label}' (have: {string.Join(", ", Variants.Select(v => v.Label))})");

    /// <summary>
    /// The overlaid monitor chart of every variant that has a monitor trace (the chart under the table), as a
    /// <see cref="MonitorChart"/>; null when no variant was monitored. <c>.ToChart()</c> gives the Plotly.NET chart.
    /// </summary>
    public MonitorChart? ToMonitorChart()
    {
        var series = Variants.SelectMany(x => Formatting.SteeringHtml.Series(x.Label, x.Result, FrameRate)).ToList();
        return series.Count == 0 ? null : new MonitorChart(series, "Monitor probes: " + string.Join(" vs ", Variants.Select(x => x.Label)));
    }
}
