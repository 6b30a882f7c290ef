using Smitin.Audio;
using Smitin.Generation;
using Smitin.Models;

namespace Smitin.Interactive.Magics;

/// <summary>The prompt and sampling part of <c>generate</c> / <c>compare</c>, validated once.</summary>
internal sealed record GenerationRequest(string Text, AudioClip? AudioPrompt, string? AudioPath, GenerationOptions Options)
{
    internal const double DefaultSeconds = 2;

    /// <summary>MusicGen Melody: the melody clip conditioning the generation (<c>--melody</c>), or null.</summary>
    internal AudioClip? Melody { get; init; }

    internal static GenerationRequest Parse(string? prompt, string? audio, double? seconds, long? seed, double? guidance, int? topK, double? temperature,
        string? melody = null)
    {
        if (seconds is { } s && !(s > 0 && s <= 300)) throw new MagicUsageException($"--seconds must be between 0 and 300, got {s}");
        if (guidance is { } g && !(g >= 0 && g <= 100)) throw new MagicUsageException($"--guidance must be between 0 and 100, got {g}");
        if (topK is < 0) throw new MagicUsageException($"--top-k must be >= 0 (0 = all tokens), got {topK}");
        if (temperature is { } t && !(t >= 0 && t <= 100)) throw new MagicUsageException($"--temperature must be between 0 and 100, got {t}");
        AudioClip? clip = null;
        if (audio is not null)
        {
            if (!File.Exists(audio)) throw new MagicUsageException($"--audio '{audio}': no such WAV file");
            clip = AudioClip.Load(audio);
        }
        AudioClip? melodyClip = null;
        if (melody is not null)
        {
            if (audio is not null) throw new MagicUsageException("--melody and --audio cannot be combined (a MusicGen Melody model does not continue an audio prompt)");
            if (!File.Exists(melody)) throw new MagicUsageException($"--melody '{melody}': no such WAV file");
            melodyClip = AudioClip.Load(melody);
        }
        var defaults = new GenerationOptions();
        var options = defaults with
        {
            DurationSeconds = seconds ?? (clip is null ? DefaultSeconds : clip.DurationSeconds + DefaultSeconds),
            Seed = seed ?? 0,
            GuidanceScale = guidance ?? defaults.GuidanceScale,
            TopK = topK ?? defaults.TopK,
            Temperature = temperature ?? defaults.Temperature,
        };
        if (clip is not null && options.DurationSeconds <= clip.DurationSeconds)
            throw new MagicUsageException($"--seconds {options.DurationSeconds:0.##} is the total length and must exceed the audio prompt ({clip.DurationSeconds:0.##} s)");
        return new GenerationRequest(prompt ?? "", clip, audio, options) { Melody = melodyClip };
    }

    /// <summary>Runs an (unsteered) generation on a worker thread with in-place progress and cancellation; with
    /// <paramref name="stream"/>, a <see cref="StreamingPlayer"/> plays the audio while it is generated.</summary>
    internal async Task<GenerationResult> RunAsync(MusicGen model, MagicContext magic, string title, bool stream = false)
    {
        var progress = magic.StartProgress(title);
        var steps = new SyncProgress<GenerationProgress>(p => progress.Report(
            p.Windows > 1 ? $"step {p.Step}/{p.TotalSteps}, window {p.Window + 1}/{p.Windows}" : $"step {p.Step}/{p.TotalSteps}", p.Fraction));
        try
        {
            if (Melody is not null && !model.IsMelody)
                throw new MagicUsageException($"--melody needs a MusicGen Melody model (config.json model_type 'musicgen_melody'); the loaded model is '{model.Config.ModelType}'");
            // melody conditioning is not streamed: its player appears at the end
            var player = stream && Melody is null ? magic.StartPlayer(title, model, Options.DurationSeconds ?? GenerationOptions.DefaultDurationSeconds) : null;
            var result = await Task.Run(() => Melody is not null
                ? model.Generate(Text.Length == 0 ? [] : [Text], [Melody], Options, steps, magic.CancellationToken)
                : player is not null
                ? AudioPrompt is null
                    ? model.GenerateStreaming([Text], Options, player.Add, null, null, steps, magic.CancellationToken)
                    : model.GenerateStreaming([Text], AudioPrompt, Options, player.Add, null, steps, magic.CancellationToken)
                : AudioPrompt is null
                    ? model.Generate([Text], Options, null, steps, magic.CancellationToken)
                    : model.Generate([Text], AudioPrompt, Options, steps, magic.CancellationToken), magic.CancellationToken);
            progress.Finish($"{result.Frames} frames, seed {result.Seed}");
            return result;
        }
        catch (OperationCanceledException)
        {
            progress.Finish("cancelled", failed: true);
            throw;
        }
        catch
        {
            progress.Finish("failed", failed: true);
            throw;
        }
    }
}
