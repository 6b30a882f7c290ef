using Smitin.Audio;
using Smitin.Generation;
using Smitin.Models;

namespace Smitin.Interactive.Magics;

/// <summary>The prompt and sampling part of <c>generate</c> / <c>compare</c>: the engine's <see cref="GenerationOptions"/>
/// with what the user gave (every default and rule is the engine's).</summary>
internal sealed record GenerationRequest(string Text, AudioClip? AudioPrompt, string? AudioPath, GenerationOptions Options)
{
    /// <summary>MusicGen Melody: the melody clip conditioning the generation (<c>--melody</c>), or null.</summary>
    internal AudioClip? Melody { get; init; }

    internal static GenerationRequest Parse(string? text, string? audio, double? duration, long? seed, double? guidance,
        int? topK, double? topP, double? temperature, string? melody = null, double? maxDuration = null, double? extendStride = null)
    {
        var defaults = new GenerationOptions();
        var options = defaults with
        {
            DurationSeconds = duration,
            Seed = seed,
            GuidanceScale = guidance,
            TopK = topK ?? defaults.TopK,
            TopP = topP ?? defaults.TopP,
            Temperature = temperature ?? defaults.Temperature,
            MaxDurationSeconds = maxDuration,
            ExtendStrideSeconds = extendStride,
        };
        options.Validate();                                                       // OptionException: shown with the help
        AudioClip? clip = null;
        if (audio is not null)
        {
            if (!File.Exists(audio)) throw new MagicUsageException($"--audio-prompt '{audio}': no such WAV file");
            clip = AudioClip.Load(audio);
        }
        AudioClip? melodyClip = null;
        if (melody is not null)
        {
            if (audio is not null) throw new MagicUsageException("--melody and --audio-prompt cannot be combined (a MusicGen Melody model does not continue an audio prompt)");
            if (!File.Exists(melody)) throw new MagicUsageException($"--melody '{melody}': no such WAV file");
            melodyClip = AudioClip.Load(melody);
        }
        return new GenerationRequest(text ?? "", clip, audio, options) { Melody = melodyClip };
    }

    /// <summary>Runs an (unsteered) generation on a worker thread with in-place progress and cancellation; with
    /// <paramref name="stream"/>, a <see cref="StreamingPlayer"/> plays the audio while it is generated, a chunk every
    /// <see cref="StreamingOptions.PlaySteps"/> frames of <paramref name="streaming"/> (null: the engine's default).</summary>
    internal async Task<GenerationResult> RunAsync(MusicGen model, MagicContext magic, string title, bool stream = false, StreamingOptions? streaming = null)
    {
        var progress = magic.StartProgress(title);
        var steps = new SyncProgress<GenerationProgress>(p => progress.Report(
            p.Windows > 1 ? $"step {p.Step}/{p.TotalSteps}, window {p.Window + 1}/{p.Windows}" : $"step {p.Step}/{p.TotalSteps}", p.Fraction));
        return await progress.Track(async () =>
        {
            if (Melody is not null && !model.IsMelody)
                throw new MagicUsageException($"--melody needs a MusicGen Melody model (config.json model_type 'musicgen_melody'); the loaded model is '{model.Config.ModelType}'");
            // melody conditioning is not streamed: its player appears at the end
            var player = stream && Melody is null ? magic.StartPlayer(title, model, Options.DurationSeconds ?? GenerationOptions.DefaultDurationSeconds) : null;
            return await Task.Run(() => Melody is not null
                ? model.Generate(Text.Length == 0 ? [] : [Text], [Melody], Options, steps, magic.CancellationToken)
                : player is not null
                ? AudioPrompt is null
                    ? model.GenerateStreaming([Text], Options, player.Add, streaming, null, steps, magic.CancellationToken)
                    : model.GenerateStreaming([Text], AudioPrompt, Options, player.Add, streaming, steps, magic.CancellationToken)
                : AudioPrompt is null
                    ? model.Generate([Text], Options, null, steps, magic.CancellationToken)
                    : model.Generate([Text], AudioPrompt, Options, steps, magic.CancellationToken), magic.CancellationToken);
        }, result => $"{result.Frames} frames, seed {result.Seed}");
    }
}
