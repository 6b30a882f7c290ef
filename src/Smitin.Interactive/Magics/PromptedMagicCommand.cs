namespace Smitin.Interactive.Magics;

/// <summary>
/// The options shared by <c>generate</c> and <c>compare</c>: the prompt and sampling options
/// (<see cref="MagicOptions.Prompt"/>) and the steering options (<see cref="MagicOptions.Steering"/>).
/// Each magic still has its own command type, as the directive binding requires.
/// </summary>
public abstract class PromptedMagicCommand : SmitinMagicCommand
{
    public string? Prompt { get; set; }
    public string? Audio { get; set; }
    public string? Melody { get; set; }
    public double? Seconds { get; set; }
    public long? Seed { get; set; }
    public double? Guidance { get; set; }
    public int? TopK { get; set; }
    public double? Temperature { get; set; }
    public string? Trait { get; set; }
    public double? Alpha { get; set; }
    public int? TopHeads { get; set; }
    public int? Every { get; set; }
    public double? Tau { get; set; }
    public int? Monitor { get; set; }
    public bool Remove { get; set; }
    public string? Var { get; set; }

    private protected GenerationRequest ParseGeneration() =>
        GenerationRequest.Parse(Prompt, Audio, Seconds, Seed, Guidance, TopK, Temperature, Melody);

    private protected SteeringRequest ParseSteering(MagicContext magic) =>
        SteeringRequest.Parse(magic.Session, Trait, Alpha, TopHeads, Every, Tau, Monitor, Remove);
}
