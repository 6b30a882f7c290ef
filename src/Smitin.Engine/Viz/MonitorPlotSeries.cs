namespace Smitin.Viz;

/// <summary>
/// One curve set of the monitor chart (SMITIN, paper Fig. 4): per decoder step the median, mean and spread (low to
/// high) of the monitor probes' outputs p = sigmoid(wᵀz + b) on the generated stream, and whether the intervention
/// was applied at that step. Steering results convert to it; <see cref="MonitorTraceFigure"/> draws it.
/// </summary>
/// <param name="Name">legend label, e.g. "SMITIN (s = 5)" or "ITI"</param>
/// <param name="Trait">the steered trait, e.g. "drums"</param>
/// <param name="Tau">monitor threshold τ</param>
/// <param name="FrameRate">decoder steps per second, for a time axis in seconds (0: the axis shows steps)</param>
/// <param name="Median">[step] median of the monitor outputs (SMITIN's confidence C(t))</param>
/// <param name="Mean">[step] mean of the monitor outputs</param>
/// <param name="Low">[step] lower edge of the spread (e.g. the minimum)</param>
/// <param name="High">[step] upper edge of the spread (e.g. the maximum)</param>
/// <param name="Intervened">[step] true where the shift was applied</param>
/// <param name="FirstStep">decoder step of index 0 (steps before it, e.g. the prompt, are not shown)</param>
public sealed record MonitorPlotSeries(string Name, string Trait, double Tau, double FrameRate,
    float[] Median, float[] Mean, float[] Low, float[] High, bool[] Intervened, int FirstStep = 0)
{
    /// <summary>Steps in the series.</summary>
    public int Steps => Median.Length;

    /// <summary>Summarises raw outputs <paramref name="probabilities"/>[step][monitor head] as the steering monitor does
    /// (<see cref="Steering.MonitorStatistics.Of"/>): median, mean, min and max.</summary>
    public static MonitorPlotSeries FromProbabilities(string name, string trait, double tau, double frameRate,
        float[][] probabilities, bool[] intervened, int firstStep = 0)
    {
        int n = probabilities.Length;
        var median = new float[n]; var mean = new float[n]; var low = new float[n]; var high = new float[n];
        for (int t = 0; t < n; t++)
        {
            if (probabilities[t].Length == 0) throw new SmitinException($"monitor series '{name}': step {t} has no probe outputs");
            var stats = Steering.MonitorStatistics.Of(probabilities[t], new float[probabilities[t].Length]);
            (median[t], mean[t], low[t], high[t]) = (stats.Median, stats.Mean, stats.Min, stats.Max);
        }
        return new MonitorPlotSeries(name, trait, tau, frameRate, median, mean, low, high, intervened, firstStep);
    }

    /// <summary>
    /// One series per trait and sample of <paramref name="trace"/> (C(t) as the median, the mean, min..max as the spread,
    /// the shifted steps as interventions, the gate's threshold as τ: τ_remove when removing). Series are named
    /// <paramref name="label"/>, with the trait when the trace has several and "#n" when it has several samples.
    /// </summary>
    /// <param name="label">legend label of the series, e.g. "SMITIN (s = 5)"</param>
    /// <param name="trace">the monitor trace of one generation (<see cref="Steering.SteeringRecord.Trace"/>)</param>
    /// <param name="frameRate">decoder steps per second; null = the trace's own (<see cref="Steering.MonitorTrace.FrameRate"/>,
    /// 0 in files written before it was recorded: the chart then shows decoder steps)</param>
    public static IEnumerable<MonitorPlotSeries> FromTrace(string label, Steering.MonitorTrace trace, double? frameRate = null)
    {
        foreach (var t in trace.Traits)
            foreach (var s in t.Samples)
            {
                string name = trace.Traits.Count > 1 ? $"{label} {t.Trait}" : label;
                if (t.Samples.Count > 1) name += $" #{s.Sample + 1}";
                yield return new MonitorPlotSeries(name, t.Trait, t.GateThreshold ?? t.Tau, frameRate ?? trace.FrameRate,
                    s.Confidence, s.Mean, s.Min, s.Max, s.Shifted, trace.FirstStep);
            }
    }

    /// <summary>Checks lengths and ranges; the message names the series, the field and what was expected.</summary>
    public void Validate()
    {
        foreach (var (field, length) in new[] { ("Mean", Mean.Length), ("Low", Low.Length), ("High", High.Length), ("Intervened", Intervened.Length) })
            if (length != Steps)
                throw new SmitinException($"monitor series '{Name}': {field} has {length} steps, Median has {Steps}");
        for (int t = 0; t < Steps; t++)
            foreach (var (field, v) in new[] { ("Median", Median[t]), ("Mean", Mean[t]), ("Low", Low[t]), ("High", High[t]) })
                if (!(v >= 0 && v <= 1))
                    throw new SmitinException($"monitor series '{Name}': {field}[{t}] = {v}, expected a probability in [0, 1]");
        if (!(Tau >= 0 && Tau <= 1)) throw new SmitinException($"monitor series '{Name}': tau {Tau} is not in [0, 1]");
        if (!(FrameRate >= 0) || double.IsInfinity(FrameRate)) throw new SmitinException($"monitor series '{Name}': frame rate {FrameRate} must be >= 0");
    }
}
