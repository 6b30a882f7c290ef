using Smitin.Generation;
using Smitin.Probing;
using Smitin.Steering;

namespace Smitin.Interactive.Magics;

/// <summary>
/// Prompt and steering options shared by <c>generate</c> and <c>compare</c>, in the vocabulary of the command line
/// (docs/options.md). Defaults shown in the descriptions are read from the engine's option records.
/// </summary>
internal static class MagicOptions
{
    static readonly GenerationOptions Generation = new();
    static readonly SteeringOptions Steer = new();
    static readonly ProbeSetOptions ProbeSet = new();

    internal static IReadOnlyList<MagicOption> Prompt()
    {
        var text = new MagicOption("--text", "Text prompt (quote it: \"80s pop with synth\"; the first bare word is the text). Omit for unconditional generation.") { Implicit = true };
        var audio = new MagicOption("--audio-prompt", "WAV file to continue (audio prompt); combine with --text for text + audio.");
        var melody = new MagicOption("--melody", "MusicGen Melody models: WAV whose melody (chroma) conditions the generation; omit --text for melody only. Drums/bass are not removed: give a pre-separated stem.");
        var duration = new MagicOption("--duration", $"Total length in seconds, the audio prompt included (default {GenerationOptions.DefaultDurationSeconds}).", MagicValueKind.Number);
        return
        [
            text, audio, melody, duration, .. LongForm(),
            new("--seed", $"Sampling seed (default: {RandomSeed.Default} with the result); compare uses one seed for every variant.", MagicValueKind.Integer),
            new("--guidance", $"Classifier-free guidance scale, <= 1 disables it (default: the checkpoint's guidance_scale, else {GenerationOptions.DefaultGuidanceScale}).", MagicValueKind.Number),
            new("--top-k", $"Sample among the k most likely tokens (default {Generation.TopK}; 0 = all tokens).", MagicValueKind.Integer),
            new("--top-p", $"Nucleus sampling threshold, replaces top-k when > 0 (default {Generation.TopP} = off).", MagicValueKind.Number),
            new("--temperature", $"Sampling temperature (default {Generation.Temperature}; 0 = greedy).", MagicValueKind.Number),
            text.Alias("--prompt"), audio.Alias("--audio"), duration.Alias("--seconds"),
        ];
    }

    /// <summary>Window and stride of long-form generation (docs/generation.md "Long pieces"): the CLI's
    /// <c>--max-duration</c> / <c>--extend-stride</c>, defaults and checks from <see cref="GenerationOptions"/>.</summary>
    internal static IReadOnlyList<MagicOption> LongForm() =>
    [
        new("--max-duration", $"Longest window generated at once, in seconds (audiocraft's max_duration); a longer --duration is generated window by window (default: what the model's positions hold, at most {GenerationOptions.DefaultMaxDurationSeconds} s).", MagicValueKind.Number),
        new("--extend-stride", $"Seconds each next window advances; it is prompted with the last (window - stride) seconds (audiocraft's extend_stride; default {GenerationOptions.DefaultExtendStrideFraction} of the window: 18 s of 30 s).", MagicValueKind.Number),
    ];

    /// <summary><c>--play-steps</c>: chunk size of the streamed player (<see cref="StreamingOptions"/>), as the CLI's with --stream.</summary>
    internal static MagicOption PlaySteps() =>
        new("--play-steps", $"Frames generated between two chunks of the player that grows while generating (Hugging Face's play_steps; default {StreamingOptions.DefaultChunkSeconds} s of frames; the player redraws at most twice a second).", MagicValueKind.Integer);

    internal static IReadOnlyList<MagicOption> Steering()
    {
        var topK = new MagicOption("--top-k-heads", $"ITI: number of most accurate heads to shift (default {Steer.TopKHeads}, capped at the model's head count).", MagicValueKind.Integer);
        var monitorHeads = new MagicOption("--monitor-heads", "Monitor heads M (default: the probe set's).", MagicValueKind.Integer);
        return
        [
            new("--trait", "Trait whose probes to use (trained or loaded in this notebook; default: the last probe set). With --mode none: monitor it only."),
            new("--alpha", $"Intervention strength alpha (default {Steer.Alpha}).", MagicValueKind.Number),
            topK,
            new("--every", $"SMITIN: intervene every s-th generated step (default {Steer.Every}).", MagicValueKind.Integer),
            new("--tau", "Monitor threshold tau in [0, 1] (default: the probe set's, median - std of the accuracies).", MagicValueKind.Number),
            monitorHeads,
            new("--soft-weight-exponent", "SMITIN: exponent p of the head weights (default: the probe set's).", MagicValueKind.Number),
            new("--remove", "Remove the trait instead of adding it.", MagicValueKind.Flag),
            topK.Alias("--top-heads"), monitorHeads.Alias("--monitor"),
        ];
    }

    /// <summary>Options that only mean something when a trait is shifted (an error with <c>--mode none</c>).</summary>
    internal static readonly string[] ShiftOnly = ["--alpha", "--top-k-heads", "--every", "--soft-weight-exponent", "--remove"];

    internal static MagicOption Var(string defaultName, string what) => new("--var", $"C# variable to bind the {what} to (default: {defaultName}).");

    internal static MagicOption Help() => new("--help", "Show this help instead of running the command.", MagicValueKind.Flag);

}
