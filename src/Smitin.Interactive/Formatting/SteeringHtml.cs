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

    /// <summary>Per trait: C at the last step, mean C over the generated steps, and how many steps were shifted.</summary>
    internal static IEnumerable<(string Trait, float FinalC, float MeanC, int Shifted, int Steps)> Figures(SteeringRecord record) =>
        record.Trace.Traits.Select(t =>
        {
            var s = t.Samples[0];
            var generated = s.Confidence.Skip(1).DefaultIfEmpty(s.Confidence.LastOrDefault()).ToArray();
            return (t.Trait, s.Confidence.LastOrDefault(), generated.Average(), s.Shifted.Count(x => x), s.Confidence.Length);
        });

    /// <summary>One chart series per trait and sample of <paramref name="result"/>'s monitor trace.</summary>
    internal static IEnumerable<MonitorPlotSeries> Series(string label, GenerationResult result, double frameRate)
    {
        if (result.Steering is not { } record) yield break;
        var trace = record.Trace;
        foreach (var t in trace.Traits)
            foreach (var s in t.Samples)
            {
                string name = trace.Traits.Count > 1 ? $"{label} {t.Trait}" : label;
                if (t.Samples.Count > 1) name += $" #{s.Sample + 1}";
                yield return new MonitorPlotSeries(name, t.Trait, t.GateThreshold ?? t.Tau, frameRate,
                    s.Confidence, s.Mean, s.Min, s.Max, s.Shifted, trace.FirstStep);
            }
    }

    static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
