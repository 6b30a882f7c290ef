namespace Smitin.Steering;

/// <summary>How heads are chosen and when they are shifted (docs/method.md §4.2 "The shift").</summary>
public enum SteeringMode
{
    /// <summary>Soft weights ω over all heads, every s-th generated step, gated by the self-monitor (the paper).</summary>
    Smitin,
    /// <summary>ω = 1 on the top-K heads by accuracy, every generated step, no gate, β = 1 (Li et al. 2023).</summary>
    Iti,
}

/// <summary>Push the trait in or out.</summary>
public enum SteeringAction
{
    /// <summary>Shift along +θ while the monitor says the trait is absent (C &lt; τ).</summary>
    Add,
    /// <summary>Shift along −θ while the monitor says the trait is present (C &gt; τ_remove), see <see cref="SteeringOptions.TauRemove"/>.</summary>
    Remove,
}

/// <summary>The attenuation β(t) of a SMITIN shift (the paper's wording is ambiguous: ours, an option).</summary>
public enum BetaRule
{
    /// <summary>β = 1 − C(t−1) when adding, C(t−1) when removing (the distance of the monitor from "done").</summary>
    OneMinusC,
    /// <summary>β = 1.</summary>
    One,
}

/// <summary>Which rows of a classifier-free-guidance batch are shifted (ours, an option).</summary>
public enum SteeringRows
{
    /// <summary>Conditional and unconditional rows alike (what a plain hook does); the unconditional row of sample b
    /// follows the gate of conditional row b.</summary>
    Both,
    /// <summary>Only the conditional rows [0, B); the unconditional rows run untouched.</summary>
    Conditional,
}

/// <summary>
/// The knobs of one trait's intervention, with the paper's values (α 10, its text-to-music one; s 5) and ITI's K 48; p, M and τ default to
/// the probe set's (chosen when probing: <see cref="Probing.ProbeSetOptions"/>, the paper's p 3, M 16). Every
/// choice the paper leaves open is here and is recorded, resolved, in every result (<see cref="TraitPlanSummary"/>).
/// </summary>
public sealed record SteeringOptions
{
    /// <summary>Steering mode: SMITIN (default, the paper) or ITI (docs/method.md §4.2).</summary>
    public SteeringMode Mode { get; init; } = SteeringMode.Smitin;
    /// <summary>Add the trait (+θ, default) or remove it (−θ, gate inverted).</summary>
    public SteeringAction Action { get; init; } = SteeringAction.Add;
    /// <summary>
    /// Strength α, default 10. 0 leaves the generation bit-identical to no steering. The paper reports α 5 and, for
    /// text-to-music, α 10 (ITI used 15). 10 because on the default model α 10 adds the trait more often than α 5 and
    /// stays as close to the prompt (<c>smitin eval --trait drums --prompts 100 --seed 0</c>, mass-mean direction,
    /// docs/evaluation.md): SMITIN adds drums to 98 / 97 / 99 % of drum-less prompts at α 10 (seeds 0 / 1 / 2) and
    /// 85 / 79 / 90 % at α 5, no control 22 / 18 / 15 % (α 10: 4.5–6.6×, pooled 5.3×; α 5: pooled 4.6×), prompt
    /// similarity 0.80 at α 10 and 0.70 at α 5 against ITI's −0.10, Fréchet distance 0.26 / 0.50 against 72 (seed 0).
    /// An earlier default model (without input noise) met issue 12's 3× at α 10 only (3.1–3.5×; α 5 2.9×). The same
    /// default applies in ITI mode; the evaluation's ITI rows use <see cref="Evaluation.EvaluationOptions.ItiAlpha"/>.
    /// </summary>
    public double Alpha { get; init; } = 10;
    /// <summary>SMITIN: shift only every s-th generated step (generated steps 1, 1+s, 1+2s, ...). ITI shifts every step.</summary>
    public int Every { get; init; } = 5;
    /// <summary>SMITIN: exponent p of the soft weights ω = ((a − a_min)/(a_max − a_min))^p over all heads;
    /// null = the probe set's (<see cref="Probing.ProbeSetOptions.SoftWeightExponent"/>, chosen when probing).</summary>
    public double? SoftWeightExponent { get; init; }
    /// <summary>Number M of monitor heads (the most accurate probes), used by the gate and the trace in both modes;
    /// null = the probe set's monitor heads (<see cref="Probing.ProbeSetOptions.MonitorHeadCount"/>, chosen when
    /// probing).</summary>
    public int? MonitorHeadCount { get; init; }
    /// <summary>ITI: number K of most accurate heads shifted with ω = 1 (capped at the model's head count).</summary>
    public int TopKHeads { get; init; } = 48;
    /// <summary>Gate threshold τ for adding; null = the probe set's τ (median(a) − std(a) unless it was given).</summary>
    public double? Tau { get; init; }
    /// <summary>
    /// Gate threshold for removing (ours): shift while C &gt; τ_remove. Null = 1 − τ, i.e. removing is adding the
    /// "trait absent" probes (−w, −b), whose monitor is 1 − C, with the same τ.
    /// </summary>
    public double? TauRemove { get; init; }
    /// <summary>Attenuation rule β(t) of a SMITIN shift; default 1 − C(t−1).</summary>
    public BetaRule Beta { get; init; } = BetaRule.OneMinusC;
    /// <summary>Which classifier-free-guidance rows are shifted; default both.</summary>
    public SteeringRows Rows { get; init; } = SteeringRows.Both;
    /// <summary>SMITIN: once the gate has closed for a sample it stays closed (false = re-opens whenever C falls back).</summary>
    public bool LatchGate { get; init; }
    /// <summary>
    /// Direction θ the probe set must have been built with (probe weight or mass-mean); null = whatever it holds.
    /// σ is tied to θ, so a set built for the other direction is refused rather than silently mixed.
    /// </summary>
    public Probing.ProbeDirection? Direction { get; init; }

    /// <summary>Largest α: the shift α β ω σ θ is added to attention outputs in float32; ITI's strongest setting is 15
    /// and the paper's 5 and 10, so 1000 leaves room to explore while keeping the shifted activations far from float32 overflow.</summary>
    public const double MaxAlpha = 1000;
    /// <summary>Largest soft-weight exponent p (ω = x^p, x in [0, 1]; beyond ~100 only the best head keeps a weight).</summary>
    public const double MaxSoftWeightExponent = 1000;

    /// <summary>Checks the values; the message names the option and the accepted range.</summary>
    /// <exception cref="SmitinException">a value is NaN, ±∞ or out of range</exception>
    public void Validate()
    {
        OptionRange.Check("alpha", Alpha, 0, MaxAlpha, "steering strength; use --remove to push a trait out");
        OptionRange.Check("every", Every, 1, int.MaxValue, "SMITIN shifts every s-th generated step");
        if (SoftWeightExponent is { } p) OptionRange.CheckAbove("soft-weight-exponent", p, 0, MaxSoftWeightExponent, "exponent p of the head weights");
        if (MonitorHeadCount is { } m) OptionRange.Check("monitor-heads", m, 1, int.MaxValue, "number M of monitor heads");
        OptionRange.Check("top-k-heads", TopKHeads, 1, int.MaxValue, "ITI: number K of heads shifted");
        if (Tau is { } t) OptionRange.Check("tau", t, 0, 1, "gate threshold, a probability");
        if (TauRemove is { } r) OptionRange.Check("tau-remove", r, 0, 1, "gate threshold when removing, a probability");
    }

    /// <summary>Option text of a mode: <c>smitin</c> or <c>iti</c>.</summary>
    public static string Name(SteeringMode m) => m == SteeringMode.Iti ? "iti" : "smitin";
    /// <summary>Option text of an action: <c>add</c> or <c>remove</c>.</summary>
    public static string Name(SteeringAction a) => a == SteeringAction.Remove ? "remove" : "add";
    /// <summary>Option text of a β rule: <c>one-minus-c</c> or <c>one</c>.</summary>
    public static string Name(BetaRule b) => b == BetaRule.One ? "one" : "one-minus-c";
    /// <summary>Option text of a rows choice: <c>both</c> or <c>cond</c>.</summary>
    public static string Name(SteeringRows r) => r == SteeringRows.Conditional ? "cond" : "both";

    /// <summary>The front ends' <c>--mode</c>: <c>none</c> (null: only monitor), <c>iti</c> or <c>smitin</c>.</summary>
    /// <exception cref="OptionException">any other text (option <c>mode</c>)</exception>
    public static SteeringMode? ParseModeOrNone(string text) => text.ToLowerInvariant() switch
    {
        "none" => null,
        "smitin" => SteeringMode.Smitin,
        "iti" => SteeringMode.Iti,
        _ => throw new OptionException("mode", $"unknown mode '{text}' (expected none, iti or smitin)"),
    };

    /// <summary>Parses an action (<c>add</c> or <c>remove</c>, case-insensitive).</summary>
    /// <exception cref="SmitinException">any other text</exception>
    public static SteeringAction ParseAction(string text) => text.ToLowerInvariant() switch
    {
        "add" => SteeringAction.Add,
        "remove" => SteeringAction.Remove,
        _ => throw new SmitinException($"unknown steering action '{text}' (expected add or remove)"),
    };

    /// <summary>Parses a β rule (<c>one-minus-c</c> or <c>one</c>, case-insensitive).</summary>
    /// <exception cref="OptionException">any other text (option <c>beta</c>)</exception>
    public static BetaRule ParseBeta(string text) => text.ToLowerInvariant() switch
    {
        "one-minus-c" => BetaRule.OneMinusC,
        "one" => BetaRule.One,
        _ => throw new OptionException("beta", $"unknown beta rule '{text}' (expected one-minus-c or one)"),
    };

    /// <summary>Parses the rows choice (<c>both</c>, <c>cond</c> or <c>conditional</c>, case-insensitive).</summary>
    /// <exception cref="OptionException">any other text (option <c>rows</c>)</exception>
    public static SteeringRows ParseRows(string text) => text.ToLowerInvariant() switch
    {
        "both" => SteeringRows.Both,
        "cond" or "conditional" => SteeringRows.Conditional,
        _ => throw new OptionException("rows", $"unknown rows '{text}' (expected both or cond)"),
    };
}
