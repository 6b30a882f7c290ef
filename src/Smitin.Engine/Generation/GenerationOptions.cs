namespace Smitin.Generation;

/// <summary>
/// How to generate. Defaults are audiocraft's (<c>set_generation_params</c>): sampling with top-k 250, top-p 0 (off),
/// temperature 1, classifier-free guidance 3. The length is either <see cref="MaxNewTokens"/> (decoder steps, as
/// Hugging Face's <c>max_new_tokens</c>) or <see cref="DurationSeconds"/> (total audio length, the audio prompt
/// included, as audiocraft's <c>duration</c>); with neither, <see cref="DefaultDurationSeconds"/>.
/// Every result records the options it actually used (<see cref="GenerationResult.Options"/>: seed and token count filled in).
/// </summary>
public sealed record GenerationOptions
{
    /// <summary>Used when neither a token count nor a duration is given (audiocraft's 30 s is long on a CPU).</summary>
    public const double DefaultDurationSeconds = 10;

    /// <summary>Classifier-free guidance scale used when neither the options nor the checkpoint's
    /// <c>generation_config.json</c> (<c>guidance_scale</c>) give one (audiocraft's <c>cfg_coef</c> default).</summary>
    public const double DefaultGuidanceScale = 3.0;

    /// <summary>Keep the k most likely tokens before sampling (0 = all). Ignored when <see cref="TopP"/> &gt; 0 (audiocraft).</summary>
    public int TopK { get; init; } = 250;
    /// <summary>Nucleus sampling threshold; 0 = off. When &gt; 0 it replaces top-k (audiocraft).</summary>
    public double TopP { get; init; }
    /// <summary>Softmax temperature; 0 means greedy (audiocraft).</summary>
    public double Temperature { get; init; } = 1.0;
    /// <summary>Classifier-free guidance scale; values &lt;= 1 disable guidance (one pass instead of the 2B-row batch).
    /// Null = the checkpoint's <c>generation_config.json</c> <c>guidance_scale</c>, else <see cref="DefaultGuidanceScale"/>;
    /// the result records the value used.</summary>
    public double? GuidanceScale { get; init; }
    /// <summary>Argmax decoding (the sampling settings are then unused).</summary>
    public bool Greedy { get; init; }
    /// <summary>Decoder steps after the prompt. Generating N tokens gives N + 1 - Kc new frames (Kc = codebooks per channel).</summary>
    public int? MaxNewTokens { get; init; }
    /// <summary>Total audio length in seconds, the audio prompt included.</summary>
    public double? DurationSeconds { get; init; }
    /// <summary>Seed of the sampling generator; null picks one (recorded in the result).</summary>
    public long? Seed { get; init; }
    /// <summary>Keep the per-step scores (after guidance, before sampling) in <see cref="GenerationResult.StepScores"/>.</summary>
    public bool RecordScores { get; init; }
    /// <summary>Keep the per-step decoder inputs and raw logits in <see cref="GenerationResult.Trace"/> (debugging, parity).</summary>
    public bool RecordTrace { get; init; }

    /// <summary>Steer this generation with a plan (ITI or SMITIN, one or more traits) or only monitor it
    /// (<see cref="Steering.InterventionPlan.Monitor"/>); null = untouched. See <see cref="GenerationResult.Steering"/>.</summary>
    public Steering.InterventionPlan? Steering { get; init; }

    /// <summary>Guidance is on: the scale (resolved: <see cref="DefaultGuidanceScale"/> when null) is above 1.</summary>
    public bool Guided => (GuidanceScale ?? DefaultGuidanceScale) > 1;
    public bool IsGreedy => Greedy || Temperature == 0;

    /// <summary>Checks the values.</summary>
    /// <exception cref="OptionException">a value is out of range; <see cref="OptionException.Option"/> is its
    /// vocabulary name (<c>top-k</c>, <c>top-p</c>, <c>temperature</c>, <c>guidance</c>, <c>max-new-tokens</c>, <c>duration</c>)</exception>
    public void Validate()
    {
        if (TopK < 0) throw new OptionException("top-k", $"expected >= 0 (0 = all tokens), got {TopK}");
        if (TopP is < 0 or > 1 || double.IsNaN(TopP)) throw new OptionException("top-p", $"expected a value in [0, 1] (0 = off), got {TopP}");
        if (Temperature < 0 || !double.IsFinite(Temperature)) throw new OptionException("temperature", $"expected a finite number >= 0, got {Temperature}");
        if (GuidanceScale is { } g && (g < 0 || !double.IsFinite(g))) throw new OptionException("guidance", $"expected a finite number >= 0, got {g}");
        if (MaxNewTokens is not null && DurationSeconds is not null)
            throw new OptionException("max-new-tokens", "give either --max-new-tokens or --duration, not both");
        if (MaxNewTokens is <= 0) throw new OptionException("max-new-tokens", $"expected > 0, got {MaxNewTokens}");
        if (DurationSeconds is { } d && !(d > 0 && !double.IsInfinity(d)))
            throw new OptionException("duration", $"expected a number of seconds > 0, got {d}");
    }

    /// <summary>
    /// Decoder steps to run. For a duration: total frames F = round(duration × frame rate) and, with P prompt frames,
    /// steps = F - P + Kc - 1 (the delay pattern needs Kc - 1 extra steps to finish the last frame).
    /// </summary>
    public int ResolveSteps(int promptFrames, int codebooksPerChannel, double frameRate)
    {
        if (MaxNewTokens is int n) return n;
        double seconds = DurationSeconds ?? DefaultDurationSeconds;
        int frames = (int)Math.Round(seconds * frameRate);
        if (frames <= promptFrames)
            throw new OptionException("duration", $"{seconds:0.###} s ({frames} frames at {frameRate:0.##} Hz) must be longer than the audio prompt ({promptFrames} frames, {promptFrames / frameRate:0.###} s)");
        return frames - promptFrames + codebooksPerChannel - 1;
    }
}
