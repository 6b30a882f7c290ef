using System.ComponentModel;
using Smitin.Generation;
using Smitin.Steering;

namespace Smitin.Interactive.Magics;

/// <summary><c>#!smitin generate</c>: text-to-music or continuation, optionally steered (ITI or SMITIN).</summary>
public sealed class GenerateMagic : PromptedMagicCommand
{
    /// <summary><c>--mode</c>: none (default: only monitor when a trait is given), iti or smitin.</summary>
    public string? Mode { get; set; }

    /// <summary><c>--play-steps</c>: frames between two chunks of the streamed player (<see cref="StreamingOptions.PlaySteps"/>).</summary>
    public int? PlaySteps { get; set; }

    /// <summary>Deprecated alias of <see cref="Mode"/> (<c>--steer</c>).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)] public string? Steer { get; set; }

    internal const string Description = "Generate music from a text and/or audio prompt, optionally steered towards (or away from) a probed trait.";

    internal static IReadOnlyList<MagicOption> Options()
    {
        var mode = new MagicOption("--mode", "none (default: no steering; with --trait the trait is monitored), iti or smitin.") { Choices = ["none", "iti", "smitin"] };
        return [.. MagicOptions.Prompt(), MagicOptions.PlaySteps(), mode, .. MagicOptions.Steering(), MagicOptions.Var("result", "generation result"), MagicOptions.Help(), mode.Alias("--steer")];
    }

    internal override async Task RunAsync(MagicContext magic)
    {
        var request = ParseGeneration();
        var streaming = new StreamingOptions { PlaySteps = PlaySteps };
        streaming.Validate();                                                     // OptionException: shown with the help
        Check(PlaySteps is null || Melody is null, "--play-steps sets the chunk size of the streamed player, and melody generation is not streamed: leave out one of them");
        SteeringMode? mode = SteeringOptions.ParseModeOrNone(Mode ?? "none");
        if (mode is null)
        {
            var shiftOnly = new (string Name, bool Given)[]
            {
                ("--alpha", Alpha is not null), ("--top-k-heads", TopKHeads is not null), ("--every", Every is not null),
                ("--soft-weight-exponent", SoftWeightExponent is not null), ("--remove", Remove),
            };
            foreach (var (name, given) in shiftOnly)
                Check(!given, $"{name} only applies when steering: add --mode smitin or --mode iti (--trait alone only monitors)");
        }
        var model = magic.Session.RequireModel();
        var options = request.Options;
        string label = "no control";
        if (mode is not null || Trait is not null)
        {
            var steering = ParseSteering(magic);
            options = options with { Steering = mode is { } m ? steering.Plan(m) : steering.MonitorOnly() };
            label = mode is { } steered ? SteeringOptions.Name(steered).ToUpperInvariant() : "no control (monitored)";
        }
        var result = await (request with { Options = options }).RunAsync(model, magic, $"generate ({label})", stream: true, streaming);
        magic.Session.LastResult = result;
        if (result.Steering is not null) magic.Session.LastTraced = [new ComparisonVariant(label, result)];
        magic.Display(result);
        await magic.BindAsync(Var ?? "result", result);
    }
}
