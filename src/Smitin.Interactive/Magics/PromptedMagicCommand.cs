using System.ComponentModel;

namespace Smitin.Interactive.Magics;

/// <summary>
/// The options shared by <c>generate</c> and <c>compare</c>: the prompt and sampling options
/// (<see cref="MagicOptions.Prompt"/>) and the steering options (<see cref="MagicOptions.Steering"/>).
/// Each magic still has its own command type, as the directive binding requires.
/// </summary>
public abstract class PromptedMagicCommand : SmitinMagicCommand
{
    public string? Text { get; set; }
    public string? AudioPrompt { get; set; }
    public double? Duration { get; set; }
    public double? MaxDuration { get; set; }
    public double? ExtendStride { get; set; }
    public string? Melody { get; set; }
    public long? Seed { get; set; }
    public double? Guidance { get; set; }
    public int? TopK { get; set; }
    public double? TopP { get; set; }
    public double? Temperature { get; set; }
    public string? Trait { get; set; }
    public double? Alpha { get; set; }
    public int? TopKHeads { get; set; }
    public int? Every { get; set; }
    public double? Tau { get; set; }
    /// <summary><c>--monitor-heads</c>: the number M of monitor heads (a count; the engine records call it
    /// <c>MonitorHeadCount</c>).</summary>
    public int? MonitorHeads { get; set; }
    public double? SoftWeightExponent { get; set; }
    public bool Remove { get; set; }
    public string? Var { get; set; }

    /// <summary>Deprecated alias of <see cref="Text"/> (<c>--prompt</c>).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)] public string? Prompt { get; set; }
    /// <summary>Deprecated alias of <see cref="AudioPrompt"/> (<c>--audio</c>).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)] public string? Audio { get; set; }
    /// <summary>Deprecated alias of <see cref="Duration"/> (<c>--seconds</c>).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)] public double? Seconds { get; set; }
    /// <summary>Deprecated alias of <see cref="TopKHeads"/> (<c>--top-heads</c>).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)] public int? TopHeads { get; set; }
    /// <summary>Deprecated alias of <see cref="MonitorHeads"/> (<c>--monitor</c>).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)] public int? Monitor { get; set; }

    internal override string? VariableName => Var;

    private protected GenerationRequest ParseGeneration() =>
        GenerationRequest.Parse(Text, AudioPrompt, Duration, Seed, Guidance, TopK, TopP, Temperature, Melody, MaxDuration, ExtendStride);

    private protected SteeringRequest ParseSteering(MagicContext magic) =>
        SteeringRequest.Parse(magic.Session, Trait, Alpha, TopKHeads, Every, Tau, MonitorHeads, SoftWeightExponent, Remove);
}
