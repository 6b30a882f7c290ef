using System.Text.Json.Serialization;

namespace Smitin.Steering;

/// <summary>
/// The self-monitor over one generation (the data of the paper's Fig. 4): per trait, per sample, per decoder step
/// t (index 0 = the prefill), the monitor C(t) and the spread of the monitor probes, and what the gate did.
/// Step t's gate and β come from C(t−1) (see <see cref="TraitPlanSummary.MonitorTiming"/>).
/// </summary>
public sealed record MonitorTrace
{
    /// <summary>Samples B (conditional rows; with guidance the unconditional rows follow them).</summary>
    public required int BatchSize { get; init; }
    /// <summary>Decoder step of the first entry (0 for every generation run by <see cref="Generation.CodeGenerator"/>).</summary>
    public required int FirstStep { get; init; }
    /// <summary>Steps recorded.</summary>
    public required int Steps { get; init; }
    /// <summary>One trace per trait of the plan, in plan order.</summary>
    public required IReadOnlyList<TraitTrace> Traits { get; init; }
    /// <summary>Long-form generation: the steps where each window after the first begins (its prefill, which re-reads
    /// the previous window's tail; never shifted, its C not gated on). Empty for a single window. Steps count every
    /// window's steps, so the whole piece is one time axis.</summary>
    public IReadOnlyList<int> WindowStarts { get; init; } = [];
    /// <summary>Decoder steps per second (the codec's frame rate), for a time axis; 0 in trace files written before it
    /// was recorded.</summary>
    public double FrameRate { get; init; }
}

/// <summary>One trait's monitor over a generation.</summary>
public sealed record TraitTrace
{
    /// <summary>Trait name.</summary>
    public required string Trait { get; init; }
    /// <summary><c>smitin</c> or <c>iti</c>.</summary>
    public required string Mode { get; init; }
    /// <summary><c>add</c> or <c>remove</c>.</summary>
    public required string Action { get; init; }
    /// <summary>Gate threshold τ for adding (the probe set's unless given).</summary>
    public required double Tau { get; init; }
    /// <summary>The gate's threshold (τ, or τ_remove when removing); null when nothing gates (ITI).</summary>
    public double? GateThreshold { get; init; }
    /// <summary>M: probes behind each statistic.</summary>
    [JsonPropertyName("monitor_heads")]
    public required int MonitorHeadCount { get; init; }
    /// <summary>One series per sample, in batch order.</summary>
    public required IReadOnlyList<MonitorSeries> Samples { get; init; }

    /// <summary>Final C, mean C and shifted steps over every sample (<see cref="MonitorSummary.Of(TraitTrace)"/>).</summary>
    public MonitorSummary Summarize() => MonitorSummary.Of(this);
}

/// <summary>
/// One sample's monitor, one entry per step. Probabilities are p_{l,h}(t) = sigmoid(wᵀz + b) of the M monitor heads
/// at the newest position of the conditional row.
/// </summary>
public sealed record MonitorSeries
{
    /// <summary>Index of the sample in the batch.</summary>
    public required int Sample { get; init; }
    /// <summary>C(t): median of the M probabilities (mean of the middle two when M is even).</summary>
    public required float[] Confidence { get; init; }
    /// <summary>Mean of the M probabilities per step.</summary>
    public required float[] Mean { get; init; }
    /// <summary>Population standard deviation of the M probabilities (the spread).</summary>
    public required float[] Std { get; init; }
    /// <summary>Smallest of the M probabilities per step.</summary>
    public required float[] Min { get; init; }
    /// <summary>Largest of the M probabilities per step.</summary>
    public required float[] Max { get; init; }
    /// <summary>The step is on the intervention schedule (t ≥ 1, every s-th for SMITIN).</summary>
    public required bool[] Scheduled { get; init; }
    /// <summary>The gate g(t) as decided from C(t−1) (always open for ITI, closed at the prefill).</summary>
    public required bool[] GateOpen { get; init; }
    /// <summary>A non-zero shift was applied at this step (scheduled, gate open, α·β ≠ 0, not monitor-only).</summary>
    public required bool[] Shifted { get; init; }
    /// <summary>β(t) by the plan's rule (0 at the prefill).</summary>
    public required float[] Beta { get; init; }
}

/// <summary>Collects a <see cref="MonitorTrace"/> step by step (host memory only: a few floats per step).</summary>
internal sealed class MonitorTraceBuilder
{
    readonly IReadOnlyList<TraitIntervention> _traits;
    readonly int _batch, _firstStep;
    readonly List<float>[,][] _floats;   // [trait, sample][field]
    readonly List<bool>[,][] _flags;
    readonly List<int> _windowStarts = [];
    int _steps;

    const int C = 0, MeanF = 1, StdF = 2, MinF = 3, MaxF = 4, BetaF = 5, FloatFields = 6;
    const int ScheduledF = 0, GateF = 1, ShiftedF = 2, FlagFields = 3;

    public MonitorTraceBuilder(IReadOnlyList<TraitIntervention> traits, int batch, int firstStep)
    {
        _traits = traits; _batch = batch; _firstStep = firstStep;
        _floats = new List<float>[traits.Count, batch][];
        _flags = new List<bool>[traits.Count, batch][];
        for (int i = 0; i < traits.Count; i++)
            for (int b = 0; b < batch; b++)
            {
                _floats[i, b] = Enumerable.Range(0, FloatFields).Select(_ => new List<float>()).ToArray();
                _flags[i, b] = Enumerable.Range(0, FlagFields).Select(_ => new List<bool>()).ToArray();
            }
    }

    public int Steps => _steps;

    /// <summary>Appends one step of trait <paramref name="trait"/>, sample <paramref name="sample"/>.</summary>
    public void Add(int trait, int sample, MonitorStatistics stats, in GateDecision decision)
    {
        var f = _floats[trait, sample];
        f[C].Add(stats.Median); f[MeanF].Add(stats.Mean); f[StdF].Add(stats.Std); f[MinF].Add(stats.Min); f[MaxF].Add(stats.Max);
        f[BetaF].Add(decision.Beta);
        var g = _flags[trait, sample];
        g[ScheduledF].Add(decision.Scheduled); g[GateF].Add(decision.GateOpen); g[ShiftedF].Add(decision.Coefficient != 0);
    }

    /// <summary>Marks the start of a continuation window at <paramref name="step"/> (before its entries are added).</summary>
    public void BeginWindow(int step) => _windowStarts.Add(step);

    /// <summary>Marks the end of a step (every trait and sample must have been added).</summary>
    public void EndStep() => _steps++;

    public MonitorTrace Build() => new()
    {
        BatchSize = _batch, FirstStep = _firstStep, Steps = _steps, WindowStarts = _windowStarts.ToArray(),
        Traits = _traits.Select((t, i) => new TraitTrace
        {
            Trait = t.Trait, Mode = SteeringOptions.Name(t.Options.Mode), Action = SteeringOptions.Name(t.Options.Action),
            Tau = t.Tau, GateThreshold = t.Options.Mode == SteeringMode.Iti ? null : t.GateThreshold,
            MonitorHeadCount = t.MonitorHeadIndices.Length,
            Samples = Enumerable.Range(0, _batch).Select(b => Series(i, b)).ToList(),
        }).ToList(),
    };

    MonitorSeries Series(int trait, int sample)
    {
        var f = _floats[trait, sample];
        var g = _flags[trait, sample];
        // a step cut short (exception, cancellation) may have filled some fields only: keep complete steps
        float[] F(int k) => f[k].Take(_steps).ToArray();
        bool[] B(int k) => g[k].Take(_steps).ToArray();
        return new MonitorSeries
        {
            Sample = sample, Confidence = F(C), Mean = F(MeanF), Std = F(StdF), Min = F(MinF), Max = F(MaxF),
            Scheduled = B(ScheduledF), GateOpen = B(GateF), Shifted = B(ShiftedF), Beta = F(BetaF),
        };
    }
}
