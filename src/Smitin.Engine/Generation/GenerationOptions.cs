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
    /// <summary>Longest piece generated window by window (an hour: bounds the plan and the memory of the codes).</summary>
    public const double MaxLongFormSeconds = 3600;

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
    /// <summary>Seed of the sampling generator; null = a random seed (<see cref="RandomSeed"/>), recorded in the result.</summary>
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
    /// <summary>Argmax decoding: <see cref="Greedy"/> set or temperature 0.</summary>
    public bool IsGreedy => Greedy || Temperature == 0;

    /// <summary>Largest guidance scale: scores = uncond + g (cond − uncond) run in float32, so g is bounded well below
    /// the float32 range (audiocraft uses 3; scales above ~10 already saturate the distribution).</summary>
    public const double MaxGuidanceScale = 100;
    /// <summary>Smallest non-zero temperature: scores / T run in float32, and a tiny T turns finite scores into +∞
    /// (softmax then gives NaN). Below 1e-3 sampling is indistinguishable from greedy (T = 0).</summary>
    public const double MinTemperature = 1e-3;
    /// <summary>Largest temperature (above it the distribution is flat to float32 precision).</summary>
    public const double MaxTemperature = 100;

    /// <summary>Checks the values; the message names the option and the accepted range.</summary>
    /// <exception cref="SmitinException">a value is NaN, ±∞, out of range, or both lengths are given</exception>
    public void Validate()
    {
        OptionRange.Check("top-k", TopK, 0, int.MaxValue, "0 = all tokens");
        OptionRange.Check("top-p", TopP, 0, 1, "0 = off");
        if (Temperature != 0)
            OptionRange.Check("temperature", Temperature, MinTemperature, MaxTemperature, "0 = greedy; smaller non-zero values overflow float32 when the scores are divided by it");
        if (GuidanceScale is { } g) OptionRange.Check("guidance", g, 0, MaxGuidanceScale, "classifier-free guidance scale, <= 1 disables it; larger values overflow float32 scores");
        if (MaxNewTokens is not null && DurationSeconds is not null)
            throw new SmitinException("give either max-new-tokens or duration, not both");
        if (MaxNewTokens is { } n) OptionRange.Check("max-new-tokens", n, 1, int.MaxValue, "decoder steps");
        if (DurationSeconds is { } d && !(double.IsFinite(d) && d > 0))
            throw new OptionException("duration", $"{OptionRange.Text(d)}: expected a finite number of seconds > 0");
        if (MaxDurationSeconds is { } window && !(double.IsFinite(window) && window > 0))
            throw new OptionException("max-duration", $"{OptionRange.Text(window)}: expected a finite number of seconds > 0 (the longest window generated at once)");
        if (ExtendStrideSeconds is { } stride && !(double.IsFinite(stride) && stride > 0))
            throw new OptionException("extend-stride", $"{OptionRange.Text(stride)}: expected a finite number of seconds > 0 (how far each next window advances)");
        if (ExtendStrideSeconds is { } s && MaxDurationSeconds is { } w && s >= w)
            throw new OptionException("extend-stride", $"{OptionRange.Text(s)} s must be shorter than max-duration {OptionRange.Text(w)} s (each window is prompted with the last max-duration − extend-stride seconds)");
    }

    /// <summary>
    /// Decoder steps to run, checked against what the model can serve before anything is allocated. For a duration:
    /// total frames F = round(duration × frame rate) and, with P prompt frames, steps = F - P + Kc - 1 (the delay
    /// pattern needs Kc - 1 extra steps to finish the last frame). Step N feeds decoder position P + N - 1 (position 0 is
    /// the start token), so P + steps positions must fit in <paramref name="maxPositions"/>.
    /// </summary>
    /// <param name="promptFrames">P, audio-prompt frames</param>
    /// <param name="codebooksPerChannel">Kc</param>
    /// <param name="frameRate">codec frames per second</param>
    /// <param name="maxPositions">the decoder's <c>max_position_embeddings</c> (int.MaxValue: only overflow is checked)</param>
    /// <exception cref="SmitinException">the request does not fit (the message says what fits) or is too short for the delay pattern</exception>
    /// <param name="conditioningPositions">positions a conditioning prefix takes before the codes (MusicGen Melody), else 0</param>
    public int ResolveSteps(int promptFrames, int codebooksPerChannel, double frameRate, int maxPositions = int.MaxValue, int conditioningPositions = 0)
    {
        Validate();
        string context = conditioningPositions > 0
            ? $"decoder.max_position_embeddings is {maxPositions}, of which the conditioning prefix takes {conditioningPositions}"
            : $"decoder.max_position_embeddings is {maxPositions}";
        maxPositions -= conditioningPositions;
        int kc = codebooksPerChannel;
        long p = promptFrames;
        // smallest step count the delay pattern accepts: max length (P + 1 + steps) >= max(2 Kc - 1, P + Kc)
        long minSteps = Math.Max(2L * kc - 1, p + kc) - (p + 1);
        long fitSteps = maxPositions - p;                                               // P + steps <= max positions
        if (MaxNewTokens is int n)
        {
            if (p >= maxPositions)
                throw new SmitinException($"the audio prompt is {p} frames ({p / frameRate:0.###} s) but the model's context holds {maxPositions} positions ({context}): use a shorter audio prompt");
            if (n > fitSteps)
                throw new OptionException("max-new-tokens", $"{n}: with {p} prompt frames at most {fitSteps} new tokens fit ({context}; prompt frames + new tokens must fit)");
            if (n < minSteps)
                throw new OptionException("max-new-tokens", $"{n} is too few decoder steps: with {kc} codebooks per channel the delay pattern needs at least {minSteps} " +
                    $"(N steps give N + 1 - {kc} frames)");
            return n;
        }
        double seconds = DurationSeconds ?? DefaultDurationSeconds;
        double frames = Math.Round(seconds * frameRate);                                 // double: no int overflow
        long maxFrames = maxPositions - kc + 1;                                         // P + steps = F + Kc - 1 <= max positions
        long minFrames = minSteps + p - kc + 1;
        string given = DurationSeconds is null ? $"the default duration {seconds:0.###} s" : $"duration = {OptionRange.Text(seconds)} s";
        if (frames > maxFrames)
            throw new SmitinException($"{given} is {frames:0} frames at {frameRate:0.##} Hz, but the model's context holds at most {maxFrames} frames " +
                $"({maxFrames / frameRate:0.###} s, audio prompt included; {context})");
        if (p > 0 && frames <= p)
            throw DurationSeconds is null
                ? new SmitinException($"{given} ({frames:0} frames at {frameRate:0.##} Hz) is the total length and must be longer than the audio prompt ({p} frames, {p / frameRate:0.###} s)")
                : new OptionException("duration", $"{OptionRange.Text(seconds)} s ({frames:0} frames at {frameRate:0.##} Hz) is the total length and must be longer than the audio prompt ({p} frames, {p / frameRate:0.###} s)");
        if (frames < minFrames)
            throw new SmitinException($"{given} is {frames:0} frames at {frameRate:0.##} Hz: the delay pattern of {kc} codebooks per channel needs at least " +
                $"{minFrames} frames ({minFrames / frameRate:0.###} s{(p > 0 ? ", audio prompt included" : "")})");
        return (int)(frames - p + kc - 1);
    }
}
