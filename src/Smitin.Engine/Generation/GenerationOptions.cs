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
    /// <summary>Cap of the default window (audiocraft's <c>MusicGen.max_duration</c>, the training length).</summary>
    public const double DefaultMaxDurationSeconds = 30;
    /// <summary>Default stride as a fraction of the window: audiocraft's 18 s of 30 s, kept for shorter windows.</summary>
    public const double DefaultExtendStrideFraction = 0.6;

    /// <summary>Keep the k most likely tokens before sampling (0 = all). Ignored when <see cref="TopP"/> &gt; 0 (audiocraft).</summary>
    public int TopK { get; init; } = 250;
    /// <summary>Nucleus sampling threshold; 0 = off. When &gt; 0 it replaces top-k (audiocraft).</summary>
    public double TopP { get; init; }
    /// <summary>Softmax temperature; 0 means greedy (audiocraft).</summary>
    public double Temperature { get; init; } = 1.0;
    /// <summary>Classifier-free guidance scale; values &lt;= 1 disable guidance (one pass instead of the 2B-row batch).</summary>
    public double GuidanceScale { get; init; } = 3.0;
    /// <summary>Argmax decoding (the sampling settings are then unused).</summary>
    public bool Greedy { get; init; }
    /// <summary>Decoder steps after the prompt. Generating N tokens gives N + 1 - Kc new frames (Kc = codebooks per channel).</summary>
    public int? MaxNewTokens { get; init; }
    /// <summary>Total audio length in seconds, the audio prompt included.</summary>
    public double? DurationSeconds { get; init; }
    /// <summary>
    /// Longest piece generated in one go, in seconds (audiocraft's <c>max_duration</c>); a longer
    /// <see cref="DurationSeconds"/> is generated window by window (<see cref="WindowPlan"/>). Null = the model's window:
    /// what its positions hold (<c>decoder.max_position_embeddings</c> + 1 − Kc frames), at most
    /// <see cref="DefaultMaxDurationSeconds"/> (audiocraft's 30 s, the length MusicGen was trained on).
    /// </summary>
    public double? MaxDurationSeconds { get; init; }
    /// <summary>
    /// Seconds a window advances over the previous one when a piece is longer than a window (audiocraft's
    /// <c>extend_stride</c>): each next window is prompted with the last (window − stride) seconds generated so far.
    /// Null = <see cref="DefaultExtendStrideFraction"/> of the window (audiocraft: 18 s of a 30 s window).
    /// </summary>
    public double? ExtendStrideSeconds { get; init; }
    /// <summary>Seed of the sampling generator; null picks one (recorded in the result).</summary>
    public long? Seed { get; init; }
    /// <summary>Keep the per-step scores (after guidance, before sampling) in <see cref="GenerationResult.StepScores"/>.</summary>
    public bool RecordScores { get; init; }
    /// <summary>Keep the per-step decoder inputs and raw logits in <see cref="GenerationResult.Trace"/> (debugging, parity).</summary>
    public bool RecordTrace { get; init; }

    /// <summary>Steer this generation with a plan (ITI or SMITIN, one or more traits) or only monitor it
    /// (<see cref="Steering.InterventionPlan.Monitor"/>); null = untouched. See <see cref="GenerationResult.Steering"/>.</summary>
    public Steering.InterventionPlan? Steering { get; init; }

    public bool Guided => GuidanceScale > 1;
    public bool IsGreedy => Greedy || Temperature == 0;

    /// <summary>Checks the values; the message names the option.</summary>
    public void Validate()
    {
        if (TopK < 0) throw new SmitinException($"top-k must be >= 0 (0 = off), got {TopK}");
        if (TopP is < 0 or > 1 || double.IsNaN(TopP)) throw new SmitinException($"top-p must be in [0, 1] (0 = off), got {TopP}");
        if (Temperature < 0 || double.IsNaN(Temperature) || double.IsInfinity(Temperature)) throw new SmitinException($"temperature must be >= 0, got {Temperature}");
        if (GuidanceScale < 0 || double.IsNaN(GuidanceScale) || double.IsInfinity(GuidanceScale)) throw new SmitinException($"guidance scale must be >= 0, got {GuidanceScale}");
        if (MaxNewTokens is not null && DurationSeconds is not null)
            throw new SmitinException("give either max-new-tokens or duration, not both");
        if (MaxNewTokens is <= 0) throw new SmitinException($"max-new-tokens must be > 0, got {MaxNewTokens}");
        if (DurationSeconds is not null && !(DurationSeconds > 0 && !double.IsInfinity(DurationSeconds.Value)))
            throw new SmitinException($"duration must be > 0 seconds, got {DurationSeconds}");
        if (MaxDurationSeconds is not null && !(MaxDurationSeconds > 0 && !double.IsInfinity(MaxDurationSeconds.Value)))
            throw new SmitinException($"max-duration (the window) must be > 0 seconds, got {MaxDurationSeconds}");
        if (ExtendStrideSeconds is not null && !(ExtendStrideSeconds > 0 && !double.IsInfinity(ExtendStrideSeconds.Value)))
            throw new SmitinException($"extend-stride must be > 0 seconds, got {ExtendStrideSeconds}");
        if (ExtendStrideSeconds is not null && MaxDurationSeconds is not null && ExtendStrideSeconds >= MaxDurationSeconds)
            throw new SmitinException($"extend-stride {ExtendStrideSeconds} s must be shorter than max-duration {MaxDurationSeconds} s (each window is prompted with the last max-duration − extend-stride seconds)");
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
            throw new SmitinException($"duration {seconds:0.###} s ({frames} frames at {frameRate:0.##} Hz) must be longer than the audio prompt ({promptFrames} frames, {promptFrames / frameRate:0.###} s)");
        return frames - promptFrames + codebooksPerChannel - 1;
    }
}
