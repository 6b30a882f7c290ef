using System.Security.Cryptography;
using Smitin.Models;

namespace Smitin.Probing;

/// <summary>How the intervention direction θ_{l,h} is derived (docs/method.md §4.1 "Per-head quantities").</summary>
public enum ProbeDirection
{
    /// <summary>θ = w/|w|, the probe weight (the paper's choice; an option). File/CLI name <c>probe</c>.</summary>
    ProbeWeight,
    /// <summary>θ = (mean(z | trait) − mean(z | no trait)) normalised (ITI's best; default, see
    /// <see cref="ProbeSetOptions.Direction"/>). File/CLI name <c>mass-mean</c>.</summary>
    MassMean,
}

/// <summary>Everything about a probe set that the paper leaves open, with the documented defaults.</summary>
public sealed record ProbeSetOptions
{
    /// <summary>
    /// Direction θ: mass-mean (default, ITI's best) or probe weight (the paper's). Recorded in the file. Mass-mean
    /// because it is the direction that steers: on the default model (<c>smitin eval --trait drums --prompts 100
    /// --seed 0</c>, docs/evaluation.md) SMITIN α 10 adds drums to 98 % of drum-less prompts along mass-mean and 42 %
    /// along the probe weight (no control 22 %; ITI α 5 99 % and 85 %); on the sixth session's LM 96 % vs 75 % (no
    /// control 31 %), on the 1000-step LM 69 % vs 27 % (no control 20 %). ITI (Li et al. 2023) and our prototype found
    /// the same (docs/method.md §4.1 "Direction — evidence").
    /// </summary>
    public ProbeDirection Direction { get; init; } = ProbeDirection.MassMean;
    /// <summary>Exponent p of the soft weights ω = ((a − a_min)/(a_max − a_min))^p. Default 3 (paper).</summary>
    public double SoftWeightExponent { get; init; } = 3;
    /// <summary>Number M of monitor heads (the most accurate probes). Default 16 (paper).</summary>
    public int MonitorHeadCount { get; init; } = 16;
    /// <summary>Gate threshold τ; null = median(a) − std(a) over all heads (paper as summarised; ambiguous, so overridable).</summary>
    public double? Tau { get; init; }
    /// <summary>Store the per-class mean activations (L, H, D) twice; small, and lets a user switch direction later.</summary>
    public bool IncludeClassMeans { get; init; } = true;

    /// <summary>Checks the values.</summary>
    /// <exception cref="OptionException">a value is out of range (<c>soft-weight-exponent</c>, <c>monitor-heads</c>, <c>tau</c>)</exception>
    public void Validate()
    {
        OptionRange.CheckAbove("soft-weight-exponent", SoftWeightExponent, 0, Steering.SteeringOptions.MaxSoftWeightExponent, "exponent p of the head weights");
        OptionRange.Check("monitor-heads", MonitorHeadCount, 1, int.MaxValue, "number M of monitor heads");
        if (Tau is { } t) OptionRange.Check("tau", t, 0, 1, "gate threshold, a probability");
    }

    /// <summary>File and option text of a direction: <c>probe</c> or <c>mass-mean</c>.</summary>
    public static string Name(ProbeDirection d) => d == ProbeDirection.MassMean ? "mass-mean" : "probe";

    /// <summary>Parses a direction (<c>probe</c> or <c>mass-mean</c>).</summary>
    /// <param name="text">the option's value</param>
    /// <param name="option">the option named in the error: <c>direction</c>, or <c>directions</c> for the evaluation's list</param>
    /// <exception cref="OptionException">any other text (named <paramref name="option"/>)</exception>
    public static ProbeDirection ParseDirection(string text, string option = "direction") => text switch
    {
        "probe" => ProbeDirection.ProbeWeight,
        "mass-mean" => ProbeDirection.MassMean,
        _ => throw new OptionException(option, $"unknown direction '{text}' (expected probe or mass-mean)"),
    };
}

/// <summary>
/// Which model a probe set belongs to: <see cref="MusicGen.Identity"/> (config + weights), a hash of
/// <c>config.json</c>, and the decoder's probe-site shape. Probes are meaningless on any other model.
/// </summary>
public sealed record ProbeModelIdentity(string Identity, string ConfigHash, int Layers, int Heads, int HeadDim)
{
    /// <summary>The identity of a loaded model.</summary>
    public static ProbeModelIdentity Of(MusicGen model) => new(model.Identity, model.ConfigHash,
        model.Config.Decoder.NumHiddenLayers, model.Config.Decoder.NumAttentionHeads, model.Config.Decoder.HeadDim);

    /// <summary>First 16 hex digits of SHA-256 over the folder's <c>config.json</c>.</summary>
    public static string ConfigHashOf(string modelFolder) =>
        Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(Path.Combine(modelFolder, "config.json"))))[..16].ToLowerInvariant();

    /// <summary><c>IDENTITY (config HASH, L layers x H heads x D)</c>.</summary>
    public override string ToString() => $"{Identity} (config {ConfigHash}, {Layers} layers x {Heads} heads x {HeadDim})";
}

/// <summary>Where the probing data came from and how it was split (recorded in every probe set).</summary>
public sealed record ProbeProvenance
{
    /// <summary>e.g. <c>stems:/data/musdb</c>, <c>folders:/data/drums</c>, <c>manifest:/data/list.csv</c>, <c>synthetic</c>.</summary>
    public string Source { get; init; } = "";
    /// <summary>Length of every probing segment in seconds (paper: 3).</summary>
    public double SegmentSeconds { get; init; }
    /// <summary>Seed of the train/validation split by track.</summary>
    public int SplitSeed { get; init; }
    /// <summary>Fraction of the tracks held out for validation.</summary>
    public double ValidationFraction { get; init; }
    /// <summary>Training segments with the trait.</summary>
    public int TrainPositive { get; init; }
    /// <summary>Training segments without the trait.</summary>
    public int TrainNegative { get; init; }
    /// <summary>Validation segments with the trait.</summary>
    public int ValidationPositive { get; init; }
    /// <summary>Validation segments without the trait.</summary>
    public int ValidationNegative { get; init; }
    /// <summary>Position of z within each segment's teacher-forced sequence; always <c>last</c>
    /// (docs/method.md §3 "Probing").</summary>
    public string Position { get; init; } = "last";
    /// <summary>Unconditional (no text) forward pass, as the paper.</summary>
    public string Conditioning { get; init; } = "unconditional";
    /// <summary>Program and version that trained the probes.</summary>
    public string CreatedBy { get; init; } = "smitin " + typeof(ProbeProvenance).Assembly.GetName().Version;
}
