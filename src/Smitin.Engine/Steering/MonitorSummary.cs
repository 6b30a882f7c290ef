using System.Globalization;

namespace Smitin.Steering;

/// <summary>
/// What one trait's monitor did over a generation, over every sample: the figures <c>smitin generate</c> prints, the
/// notebook shows under a comparison and the evaluation tabulates (<see cref="TraitTrace.Summarize"/>). Index 0 of a
/// series is the prefill (never shifted), so the means are over the generated steps 1 .. T−1.
/// </summary>
/// <param name="Trait">the trait</param>
/// <param name="Samples">samples B summarised</param>
/// <param name="Steps">steps T recorded per sample (the prefill included)</param>
/// <param name="FinalConfidence">[sample] C at the last step (NaN for an empty series)</param>
/// <param name="MeanConfidence">mean C(t) over the generated steps of every sample (NaN without generated steps)</param>
/// <param name="ShiftedSteps">steps shifted, summed over the samples</param>
/// <param name="ShiftedFraction">fraction of the generated steps that were shifted, over every sample (0 without generated steps)</param>
public sealed record MonitorSummary(string Trait, int Samples, int Steps, IReadOnlyList<float> FinalConfidence,
    double MeanConfidence, int ShiftedSteps, double ShiftedFraction)
{
    /// <summary>One sample's figures (<see cref="MonitorSeries"/>).</summary>
    public static MonitorSummary Of(string trait, MonitorSeries s)
    {
        int generated = Math.Max(0, s.Confidence.Length - 1);
        double meanC = generated > 0 ? s.Confidence.Skip(1).Average(v => (double)v) : double.NaN;
        int shiftedGenerated = s.Shifted.Skip(1).Count(x => x);
        return new MonitorSummary(trait, 1, s.Confidence.Length, [s.Confidence.Length == 0 ? float.NaN : s.Confidence[^1]],
            meanC, s.Shifted.Count(x => x), generated > 0 ? shiftedGenerated / (double)generated : 0);
    }

    /// <summary>Every sample of <paramref name="trace"/> together (samples have the same number of steps).</summary>
    public static MonitorSummary Of(TraitTrace trace)
    {
        var each = trace.Samples.Select(s => Of(trace.Trait, s)).ToArray();
        if (each.Length == 0) return new MonitorSummary(trace.Trait, 0, 0, [], double.NaN, 0, 0);
        var withSteps = each.Where(e => !double.IsNaN(e.MeanConfidence)).ToArray();
        return new MonitorSummary(trace.Trait, each.Length, each.Max(e => e.Steps), each.Select(e => e.FinalConfidence[0]).ToArray(),
            withSteps.Length > 0 ? withSteps.Average(e => e.MeanConfidence) : double.NaN,
            each.Sum(e => e.ShiftedSteps), each.Average(e => e.ShiftedFraction));
    }

    /// <summary>
    /// One line for people: <c>final C [0.41, 0.52], mean C 0.387, shifted at 24 of 200 steps x 2 samples</c> (invariant
    /// culture), what the CLI and the notebook both show.
    /// </summary>
    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"final C [{string.Join(", ", FinalConfidence.Select(c => float.IsNaN(c) ? "-" : c.ToString("F3", CultureInfo.InvariantCulture)))}], " +
        $"mean C {(double.IsNaN(MeanConfidence) ? "-" : MeanConfidence.ToString("F3", CultureInfo.InvariantCulture))}, " +
        $"shifted at {ShiftedSteps} of {Steps} steps{(Samples == 1 ? "" : $" x {Samples} samples")}");
}
