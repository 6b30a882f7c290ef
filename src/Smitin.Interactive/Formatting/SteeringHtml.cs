using System.Globalization;
using Smitin.Generation;
using Smitin.Steering;
using Smitin.Viz;

namespace Smitin.Interactive.Formatting;

/// <summary>Text and chart data from a generation's <see cref="SteeringRecord"/> (plan summary, monitor figures, series).</summary>
internal static class SteeringHtml
{
    internal static string Describe(SteeringRecord record) =>
        string.Join("; ", record.Plan.Select(p => record.MonitorOnly
            ? Inv($"monitoring {p.Trait} (M {p.MonitorHeadCount}, tau {p.Tau:0.###})")
            : Inv($"{p.Mode} {p.Action} {p.Trait}: alpha {p.Alpha:0.##}, every {p.Every}") +
              (p.TopKHeads is { } k ? Inv($", top {k} heads") : "") + (p.SoftWeightExponent is { } e ? Inv($", p {e:0.##}") : "") +
              Inv($", M {p.MonitorHeadCount}, tau {p.Tau:0.###}, gate {p.Gate}, beta {p.Beta}, direction {p.Direction}")));

    /// <summary>Per trait, over every sample: C at the last step, mean C over the generated steps, steps shifted.</summary>
    internal static IEnumerable<MonitorSummary> Figures(SteeringRecord record) => record.Trace.Traits.Select(t => t.Summarize());

    /// <summary>One chart series per trait and sample of <paramref name="result"/>'s monitor trace.</summary>
    internal static IEnumerable<MonitorPlotSeries> Series(string label, GenerationResult result, double frameRate) =>
        result.Steering is { } record ? MonitorPlotSeries.FromTrace(label, record.Trace, frameRate) : [];

    static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
