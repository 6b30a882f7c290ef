using System.Text.Json.Serialization;

namespace Smitin.Steering;

/// <summary>
/// The resolved plan of one trait as recorded in a generation result and in trace.json: every knob, including the
/// choices the paper leaves open, and a summary of the head weights.
/// </summary>
public sealed record TraitPlanSummary
{
    /// <summary>Trait name of the probe set.</summary>
    public required string Trait { get; init; }
    /// <summary><c>smitin</c> or <c>iti</c>.</summary>
    public required string Mode { get; init; }
    /// <summary><c>add</c> (+θ) or <c>remove</c> (−θ).</summary>
    public required string Action { get; init; }
    /// <summary>+1 when adding the trait, −1 when removing it.</summary>
    public required int Sign { get; init; }
    /// <summary>Strength α (0: monitor only).</summary>
    public required double Alpha { get; init; }
    /// <summary>s: generated steps 1, 1+s, 1+2s, ... are shifted (1 = every generated step).</summary>
    public required int Every { get; init; }
    /// <summary>p of the soft weights (SMITIN), null for ITI.</summary>
    public double? SoftWeightExponent { get; init; }
    /// <summary>K top heads (ITI), null for SMITIN.</summary>
    public int? TopKHeads { get; init; }
    /// <summary>M: the number of monitor heads whose median probe output is C(t).</summary>
    [JsonPropertyName("monitor_heads")]
    public required int MonitorHeadCount { get; init; }
    /// <summary><c>probe-set</c> (M chosen when probing) or <c>given</c>; null in trace files written before it was recorded.</summary>
    [JsonPropertyName("monitor_heads_source")]
    public string? MonitorHeadCountSource { get; init; }
    /// <summary><c>probe-set</c> (p chosen when probing) or <c>given</c>; null for ITI.</summary>
    public string? SoftWeightExponentSource { get; init; }
    /// <summary>Gate threshold τ for adding.</summary>
    public required double Tau { get; init; }
    /// <summary>Where τ came from: <c>given</c>, <c>probe-set</c> or <c>median(acc) - std(acc)</c>.</summary>
    public required string TauSource { get; init; }
    /// <summary>The gate compares C(t−1) with this: open while C &lt; it (add) or C &gt; it (remove). Null for ITI (no gate).</summary>
    public double? GateThreshold { get; init; }
    /// <summary><c>C &lt; tau</c>, <c>C &gt; tau_remove (= 1 - tau)</c>, ... or <c>none</c> (ITI).</summary>
    public required string Gate { get; init; }
    /// <summary>True when a closed gate stays closed for the sample (SMITIN only).</summary>
    public required bool LatchGate { get; init; }
    /// <summary><c>one-minus-c</c> (1 − C when adding, C when removing) or <c>one</c>; always <c>one</c> for ITI.</summary>
    public required string Beta { get; init; }
    /// <summary><c>probe</c> (w/|w|) or <c>mass-mean</c>, as stored in the probe set.</summary>
    public required string Direction { get; init; }
    /// <summary><c>both</c> or <c>cond</c> (CFG rows shifted).</summary>
    public required string Rows { get; init; }
    /// <summary>When the gate is decided: with C(t−1) (docs/method.md §4.3).</summary>
    public required string MonitorTiming { get; init; }
    /// <summary>What the monitor reads: the median of the monitor probes at the newest position, and which
    /// rows.</summary>
    public required string MonitorSite { get; init; }
    /// <summary>Which decoder steps are shifted (the schedule and the prefill rule).</summary>
    public required string Schedule { get; init; }
    /// <summary><see cref="Models.MusicGen.Identity"/> of the model the probes belong to.</summary>
    public required string ModelIdentity { get; init; }
    /// <summary>The head weights ω at a glance.</summary>
    public required HeadWeightSummary HeadWeights { get; init; }
    /// <summary>Monitor heads, most accurate first: "L{layer}H{head}".</summary>
    public required IReadOnlyList<string> Monitor { get; init; }

    internal static TraitPlanSummary Of(TraitIntervention t)
    {
        var o = t.Options;
        bool iti = o.Mode == SteeringMode.Iti, remove = o.Action == SteeringAction.Remove;
        string gate = iti ? "none" : remove
            ? $"shift while C > {t.GateThreshold:0.####} (tau_remove = {t.GateSource})"
            : $"shift while C < {t.GateThreshold:0.####} (tau)";
        return new TraitPlanSummary
        {
            Trait = t.Trait, Mode = SteeringOptions.Name(o.Mode), Action = SteeringOptions.Name(o.Action), Sign = t.Sign,
            Alpha = o.Alpha, Every = o.Every,
            SoftWeightExponent = iti ? null : o.SoftWeightExponent, TopKHeads = iti ? o.TopKHeads : null,
            MonitorHeadCount = t.MonitorHeadIndices.Length, MonitorHeadCountSource = t.MonitorHeadCountSource,
            SoftWeightExponentSource = iti ? null : t.SoftWeightExponentSource, Tau = t.Tau, TauSource = t.TauSource,
            GateThreshold = iti ? null : t.GateThreshold, Gate = gate + (iti ? "" : o.LatchGate ? ", latched" : ", re-opens"),
            LatchGate = !iti && o.LatchGate,
            Beta = iti ? "one" : SteeringOptions.Name(o.Beta),
            Direction = Probing.ProbeSetOptions.Name(t.Direction), Rows = SteeringOptions.Name(o.Rows),
            MonitorTiming = "previous-step: step t is gated with C(t-1); C(0) comes from the prefill's last position",
            MonitorSite = "median of sigmoid(w.z + b) over the M monitor heads, conditional rows, newest position, z before this step's shift at that layer",
            Schedule = "generated steps only: decoder step 0 (the prefill: start token and audio prompt) is never shifted; " +
                (o.Every == 1 ? "every step t >= 1" : $"steps t >= 1 with (t - 1) % {o.Every} == 0"),
            ModelIdentity = t.Model.ToString(),
            HeadWeights = HeadWeightSummary.Of(t),
            Monitor = t.MonitorHeadIndices.Select(i => $"L{i / t.Heads}H{i % t.Heads}").ToList(),
        };
    }
}
