using System.Diagnostics;
using Smitin.Models.Decoder;
using Smitin.Native;
using Smitin.Steering;
using TorchSharp;
using static TorchSharp.torch;

namespace Smitin.Generation;

/// <summary>
/// The generation loop over a <see cref="MusicGenLm"/>, driven by tensors (text memory, audio-prompt codes), as the
/// reference's <c>MusicgenForConditionalGeneration.generate</c>:
/// 1. ids = start token + prompt codes, delayed (<see cref="DelayPattern.Build"/>); max length = ids + steps;
/// 2. with guidance the batch is 2B rows: conditional rows, then unconditional rows whose memory is all zeros and
///    whose mask is all zeros (the same decoder ids);
/// 3. step 0 feeds the delayed prefix, later steps the last column, with a key/value cache; the last-position
///    logits give scores = uncond + g (cond - uncond); a token is sampled per (row, codebook), then the pattern's
///    forced tokens are re-imposed before it is fed back;
/// 4. the codes are the delayed sequence without its pad tokens (prompt frames included).
/// MusicGen Melody (<c>MusicgenMelodyForConditionalGeneration.generate</c>) is the same loop with a conditioning
/// prefix instead of a memory: it is fed once, before the step-0 ids (positions from 0 on its first row), and the
/// unconditional rows take the unconditional prefix the caller built (null chroma, zero text rows). Window by window,
/// each window takes the prefix the caller builds for it (<c>windowPrefix</c>: the melody's stretch under that window,
/// as audiocraft's <c>MusicGen._generate_tokens</c>).
/// A piece longer than one window runs these steps window by window (<see cref="WindowPlan"/>, audiocraft's
/// <c>extend_stride</c>): the same text memory, guidance and random generator, each window prompted with the previous
/// window's last (window − stride) frames; a steering session carries its schedule, monitor and gate across windows.
/// Every step runs in its own dispose scope; nothing but the result survives.
/// </summary>
public sealed class CodeGenerator
{
    readonly MusicGenLm _lm;
    readonly int _startToken, _padToken;
    readonly double _frameRate, _defaultGuidanceScale;

    /// <param name="lm">the decoder</param>
    /// <param name="startTokenId">decoder start token (also the pad of the delay pattern), = vocab size in MusicGen</param>
    /// <param name="frameRate">codec frames per second (for durations)</param>
    /// <param name="defaultGuidanceScale">guidance scale when <see cref="GenerationOptions.GuidanceScale"/> is null: the
    /// checkpoint's <c>generation_config.json</c> value (<see cref="Models.MusicGenConfig.GuidanceScale"/>)</param>
    public CodeGenerator(MusicGenLm lm, int startTokenId, double frameRate, double defaultGuidanceScale = GenerationOptions.DefaultGuidanceScale)
    {
        _lm = lm; _startToken = startTokenId; _padToken = lm.Config.PadTokenId; _frameRate = frameRate;
        _defaultGuidanceScale = defaultGuidanceScale;
    }

    /// <summary>Codebooks per audio channel Kc (the delay pattern's width).</summary>
    public int CodebooksPerChannel => DelayPattern.CodebooksPerChannel(_lm.Config.NumCodebooks, _lm.Config.AudioChannels);

    /// <param name="memory">(B, S, D) projected text states (masked), or null for unconditional generation (then no
    /// cross-attention, and guidance changes nothing: it is skipped)</param>
    /// <param name="memoryMask">(B, S) 1 = token, 0 = padding</param>
    /// <param name="promptCodes">(B, K, P) audio-prompt codes to continue, or null</param>
    /// <param name="options">sampling, guidance, length, seed</param>
    /// <param name="batchSize">B when neither memory nor prompt gives it</param>
    /// <param name="prefix">melody decoder: (B, P, D) conditioning prefix (see <c>MusicGen.BuildMelodyPrefix</c>), instead of a memory</param>
    /// <param name="unconditionalPrefix">(B, P, D) prefix of the unconditional rows; required with a prefix and guidance</param>
    /// <param name="windowPrefix">melody decoder, long-form: the (conditional, unconditional) prefix of each window, same
    /// shape as <paramref name="prefix"/> (which window 0 uses when this is null); without it a piece longer than one
    /// window is refused when a prefix is given</param>
    /// <param name="onFrames">called with every frame as soon as all its codebooks are generated, in order, as (B, K, n)
    /// int64 CPU codes (the audio prompt's frames first); the tensor is only valid during the call</param>
    /// <exception cref="SmitinException">bad shapes, or a length that cannot fit (<see cref="WindowPlan.Resolve"/>),
    /// refused before the first step</exception>
    /// <remarks>Steering: <see cref="GenerationOptions.Steering"/> applies a plan for this call only (its hooks are
    /// removed when the call ends, also on errors and cancellation); a session opened with <c>lm.Steer(plan)</c> around
    /// the call applies too. Either way the plan and the monitor trace land in <see cref="GenerationResult.Steering"/>.</remarks>
    /// <param name="texts">the prompts, recorded in the result (null for tensor-only callers)</param>
    /// <param name="progress">decoder steps done</param>
    /// <param name="cancellationToken">checked before every decoder step</param>
    public GenerationResult Generate(Tensor? memory, Tensor? memoryMask, Tensor? promptCodes, GenerationOptions options,
        IProgress<GenerationProgress>? progress = null, CancellationToken cancellationToken = default, int batchSize = 1,
        IReadOnlyList<string>? texts = null, Action<Tensor>? onFrames = null, Tensor? prefix = null, Tensor? unconditionalPrefix = null,
        Func<WindowPlan, GenerationWindow, (Tensor Conditional, Tensor Unconditional)>? windowPrefix = null)
    {
        options.Validate();
        using var ownSteering = options.Steering is null ? null : _lm.Steer(options.Steering);
        var steering = SteeringSession.ActiveOn(_lm);
        GenerationResult result;
        try
        {
            result = GenerateCodes(memory, memoryMask, promptCodes, options, progress, cancellationToken, batchSize, texts, onFrames, prefix, unconditionalPrefix, windowPrefix);
        }
        catch
        {
            steering?.AbandonGeneration();
            throw;
        }
        return steering is null ? result : result with { Steering = steering.CompleteGeneration(_frameRate) };
    }

    /// <summary>
    /// Refuses non-finite scores before they reach the sampler (whose native multinomial would abort with "probability
    /// tensor contains either inf, nan or element &lt; 0"), naming the step and the option that produced them: the raw
    /// logits (model weights, or the steering shift α), or guidance (finite logits, non-finite after scaling).
    /// </summary>
    /// <param name="logits">(rows, K, V) raw logits of this step</param>
    /// <param name="processed">(B, K, V) scores after guidance</param>
    /// <param name="step">decoder step of the piece</param>
    /// <param name="steering">a steering session is active (named as a possible cause)</param>
    /// <param name="options">the generation options (guidance in the message)</param>
    /// <param name="steps">decoder steps of the piece</param>
    static void EnsureFinite(Tensor logits, Tensor processed, int step, int steps, GenerationOptions options, bool steering)
    {
        if (processed.isfinite().all().item<bool>()) return;
        string where = $"decoder step {step + 1} of {steps}";
        if (!logits.isfinite().all().item<bool>())
            throw new SmitinException(steering
                ? $"{where}: the decoder's logits are not finite (inf or NaN) under steering: the steering shift is too strong for float32 (lower alpha), or the checkpoint's weights hold non-finite values"
                : $"{where}: the decoder's logits are not finite (inf or NaN): the checkpoint's weights hold non-finite values or overflow float32");
        throw new SmitinException($"{where}: the scores after classifier-free guidance (guidance = {OptionRange.Text(options.GuidanceScale ?? GenerationOptions.DefaultGuidanceScale)}) are not finite in float32: lower guidance");
    }

    GenerationResult GenerateCodes(Tensor? memory, Tensor? memoryMask, Tensor? promptCodes, GenerationOptions options,
        IProgress<GenerationProgress>? progress, CancellationToken cancellationToken, int batchSize, IReadOnlyList<string>? texts,
        Action<Tensor>? onFrames, Tensor? condPrefix, Tensor? uncondPrefix,
        Func<WindowPlan, GenerationWindow, (Tensor Conditional, Tensor Unconditional)>? windowPrefix)
    {
        options.Validate();
        var config = _lm.Config;
        int b = (int)(memory?.shape[0] ?? condPrefix?.shape[0] ?? promptCodes?.shape[0] ?? batchSize);
        if (condPrefix is not null && memory is not null) throw new SmitinException("generate: give a text memory (MusicGen) or a conditioning prefix (MusicGen Melody), not both");
        if (condPrefix is null && uncondPrefix is not null) throw new SmitinException("generate: an unconditional prefix was given without a prefix");
        if (condPrefix is not null && (condPrefix.dim() != 3 || condPrefix.shape[2] != config.HiddenSize))
            throw new SmitinException($"generate: conditioning prefix has shape [{string.Join(", ", condPrefix.shape)}], expected (B, P, {config.HiddenSize})");
        if (uncondPrefix is not null && !uncondPrefix.shape.SequenceEqual(condPrefix!.shape))
            throw new SmitinException($"generate: unconditional prefix has shape [{string.Join(", ", uncondPrefix.shape)}], expected [{string.Join(", ", condPrefix.shape)}] like the prefix");
        int k = config.NumCodebooks;
        if (promptCodes is not null && (promptCodes.dim() != 3 || promptCodes.shape[0] != b || promptCodes.shape[1] != k))
            throw new SmitinException($"audio prompt codes: got shape [{string.Join(", ", promptCodes.shape)}], expected ({b}, {k}, frames)");
        if (memoryMask is not null && memory is null) throw new SmitinException("a text mask was given without text states");
        int promptFrames = (int)(promptCodes?.shape[2] ?? 0);
        int conditioning = (int)(condPrefix?.shape[1] ?? 0);
        // the melody prefix takes positions before the codes (WindowPlan: frames + Kc - 1 <= positions left)
        var plan = WindowPlan.Resolve(options, promptFrames, CodebooksPerChannel, _frameRate,
            config.MaxPositionEmbeddings - conditioning);
        if (conditioning > 0 && plan.IsLongForm && windowPrefix is null)
            throw new SmitinException($"generate: {plan.TotalFrames} frames asked, one window holds {plan.WindowFrames} after the {conditioning}-row conditioning prefix, " +
                "and window by window a MusicGen Melody model needs each window's stretch of the melody: give the melody as audio (MusicGen.Generate(texts, melodies, ...)), or a shorter duration");
        long seed = RandomSeed.Resolve(options.Seed);
        var used = options with { Seed = seed, MaxNewTokens = plan.TotalSteps, GuidanceScale = options.GuidanceScale ?? _defaultGuidanceScale };
        bool guided = used.Guided && (memory is not null || condPrefix is not null);
        if (guided && condPrefix is not null && uncondPrefix is null)
            throw new SmitinException("generate: guidance with a conditioning prefix needs the unconditional prefix (MusicGen.BuildMelodyPrefix builds both)");

        using var outer = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var device = _lm.Device;

        // classifier-free guidance batch: conditional rows, then all-zero memory with an all-zero mask (every window)
        Tensor? mem = memory?.to(ScalarType.Float32, device);
        Tensor? mask = memory is null ? null : (memoryMask ?? torch.ones(memory.shape[0], memory.shape[1])).to(ScalarType.Int64, device);
        if (guided && mem is not null)
        {
            mem = torch.cat([mem, torch.zeros_like(mem)], 0);                           // (2B, S, D)
            mask = torch.cat([mask!, torch.zeros_like(mask!)], 0);                      // (2B, S)
        }
        // melody: conditional prefix rows, then the unconditional ones (null chroma, zero text)
        Tensor? pre = condPrefix?.to(ScalarType.Float32, device);
        if (guided && pre is not null) pre = torch.cat([pre, uncondPrefix!.to(ScalarType.Float32, device)], 0); // (2B, P, D)

        using var generator = options.IsGreedy ? null : new Generator((ulong)seed, device);
        var run = new WindowRun(b, guided, mem, mask, pre, conditioning, generator, used, plan, progress, Stopwatch.StartNew(), cancellationToken, onFrames,
            options.RecordScores ? new List<Tensor>(plan.TotalSteps) : null,
            options.RecordTrace ? new List<Tensor>(plan.TotalSteps) : null,
            options.RecordTrace ? new List<Tensor>(plan.TotalSteps) : null);

        if (onFrames is not null && promptCodes is not null)
            using (var scope = torch.NewDisposeScope()) onFrames(promptCodes.to(ScalarType.Int64).cpu());   // final from the start

        // window by window: window w > 0 continues the last (window - stride) frames of window w - 1
        var pieces = new List<Tensor>();                                                  // (B, K, new frames) per window
        var windowCodes = new List<Tensor>();
        Tensor? prompt = promptCodes?.to(device);
        Tensor delayed = null!, pattern = null!;
        foreach (var window in plan.Windows)
        {
            Tensor codes;
            var windowRun = run;
            if (windowPrefix is not null && plan.IsLongForm)                              // melody: this window's stretch
                windowRun = run with { Prefix = WindowPrefix(windowPrefix(plan, window), condPrefix!, guided, device) };
            (codes, delayed, pattern) = RunWindow(window, prompt, windowRun);             // (B, K, F_w)
            windowCodes.Add(codes);
            pieces.Add(window.Index == 0 ? codes : codes.narrow(2, window.PromptFrames, window.NewFrames));
            if (window.Index + 1 < plan.Windows.Count)                                    // the next window's prompt: this one's tail
                prompt = codes.narrow(2, plan.StrideFrames, plan.Windows[window.Index + 1].PromptFrames);
        }
        var all = pieces.Count == 1 ? pieces[0] : torch.cat(pieces, 2);                  // (B, K, F)
        if (all.shape[2] != plan.TotalFrames)
            throw new SmitinException($"internal: the windows produced {all.shape[2]} frames, the plan {plan.TotalFrames}");

        return new GenerationResult
        {
            Codes = all.cpu().DetachFromDisposeScope(),
            Delayed = delayed.cpu().DetachFromDisposeScope(),
            Pattern = pattern.cpu().DetachFromDisposeScope(),
            Seed = seed,
            Options = used,
            Texts = texts ?? [],
            PromptFrames = promptFrames,
            Plan = plan,
            WindowCodes = plan.IsLongForm ? windowCodes.Select(c => c.cpu().DetachFromDisposeScope()).ToList() : [],
            StepScores = run.Scores is null ? null : torch.stack(run.Scores).DetachFromDisposeScope(),
            Trace = run.Inputs is null ? null : new GenerationTrace(torch.stack(run.Inputs).DetachFromDisposeScope(), torch.stack(run.Logits!).DetachFromDisposeScope()),
        };
    }

    /// <summary>A window's (conditional, unconditional) prefix → the rows fed, checked against the first prefix's shape
    /// (the plan counted its positions).</summary>
    static Tensor WindowPrefix((Tensor Conditional, Tensor Unconditional) p, Tensor first, bool guided, Device device)
    {
        if (!p.Conditional.shape.SequenceEqual(first.shape) || !p.Unconditional.shape.SequenceEqual(first.shape))
            throw new SmitinException($"generate: a window's conditioning prefix has shape [{string.Join(", ", p.Conditional.shape)}] / [{string.Join(", ", p.Unconditional.shape)}], expected [{string.Join(", ", first.shape)}] like the first");
        var pre = p.Conditional.to(ScalarType.Float32, device);                             // (B, P, D)
        return guided ? torch.cat([pre, p.Unconditional.to(ScalarType.Float32, device)], 0) : pre; // (2B, P, D)
    }

    /// <summary>What every window of one generation shares.</summary>
    sealed record WindowRun(int BatchSize, bool Guided, Tensor? Memory, Tensor? Mask, Tensor? Prefix, int Conditioning, Generator? Generator, GenerationOptions Options,
        WindowPlan Plan, IProgress<GenerationProgress>? Progress, Stopwatch Clock, CancellationToken CancellationToken, Action<Tensor>? OnFrames,
        List<Tensor>? Scores, List<Tensor>? Inputs, List<Tensor>? Logits);

    /// <summary>
    /// One decoder pass over a window (steps 1-4 of the class summary).
    /// </summary>
    /// <param name="prompt">(B, K, P) the codes the window continues, or null</param>
    /// <returns>the window's codes (B, K, F_w), its prompt included; its delayed sequence and pattern (B, K, L)</returns>
    /// <param name="window">the window: its frames, steps and first step</param>
    /// <param name="run">what every window shares (memory, prefix, generator, options, callbacks)</param>
    (Tensor Codes, Tensor Delayed, Tensor Pattern) RunWindow(GenerationWindow window, Tensor? prompt, WindowRun run)
    {
        var config = _lm.Config;
        var options = run.Options;
        int b = run.BatchSize, k = config.NumCodebooks, v = config.VocabSize, steps = window.Steps, kc = CodebooksPerChannel;
        var device = _lm.Device;

        // scalars held for the whole window (Scalars: a temporary one may be freed during the native call)
        using var startToken = ((long)_startToken).ToScalar();
        using var padToken = ((long)_padToken).ToScalar();
        using var guidanceScale = (options.GuidanceScale ?? 0.0).ToScalar();              // used when guided

        // 1. undelayed ids (start token + prompt) → delayed prefix and pattern
        var ids = prompt is null
            ? torch.full(b, k, 1, startToken, ScalarType.Int64, device)
            : DelayPattern.WithStartToken(prompt, _startToken);                           // (B, K, S)
        int maxLength = (int)ids.shape[2] + steps;
        int minSteps = Math.Max(DelayPattern.MinimumLength(k, config.AudioChannels), (int)ids.shape[2] + kc - 1) - (int)ids.shape[2];
        if (steps < minSteps)
            throw new SmitinException($"max-new-tokens {steps} is too few decoder steps: with {kc} codebooks per channel " +
                $"the delay pattern needs at least {minSteps} (N steps give N + 1 - {kc} frames; max length {maxLength} < {maxLength - steps + minSteps})");
        var (prefix, pattern) = DelayPattern.Build(ids, _startToken, maxLength, config.AudioChannels);
        int prefixLength = (int)prefix.shape[2];
        if (prefixLength + steps > maxLength)
            throw new SmitinException($"internal: prefix {prefixLength} + {steps} steps exceeds max length {maxLength}");
        var sequence = torch.full(b, k, maxLength, padToken, ScalarType.Int64, device);        // (B, K, L) delayed, as fed
        sequence.narrow(2, 0, prefixLength).copy_(prefix);
        if (run.Conditioning + maxLength - 1 > config.MaxPositionEmbeddings)                // step N feeds position conditioning + P + N - 1
            throw new SmitinException($"generate: the conditioning prefix ({run.Conditioning} rows) + {maxLength - 1} code positions exceed decoder.max_position_embeddings {config.MaxPositionEmbeddings}: generate fewer tokens");
        using var cache = _lm.CreateCache(run.Conditioning + maxLength);
        int emitted = window.PromptFrames;                                                // frames already handed out

        // 3. decode
        for (int step = 0; step < steps; step++)
        {
            run.CancellationToken.ThrowIfCancellationRequested();
            using var scope = torch.NewDisposeScope();
            int position = prefixLength + step;                                           // column predicted now
            var input = step == 0 ? prefix : sequence.narrow(2, position - 1, 1);         // (B, K, T)
            if (run.Guided) input = torch.cat([input, input], 0);                         // (rows, K, T)
            var context = new GenerationContext(step, steps, prefixLength, b, run.Guided, window.Index, window.FirstStep) { ConditioningLength = run.Conditioning };
            var logits = _lm.Forward(input, step == 0 ? run.Memory : null, step == 0 ? run.Mask : null, cache,
                lastPositionOnly: true, generation: context, prefix: step == 0 ? run.Prefix : null).squeeze(2); // (rows, K, V)
            var processed = run.Guided
                ? logits.narrow(0, b, b).add((logits.narrow(0, 0, b) - logits.narrow(0, b, b)).mul(guidanceScale), Scalars.One)
                : logits;                                                                 // (B, K, V)
            EnsureFinite(logits, processed, window.FirstStep + step, run.Plan.TotalSteps, options, steering: SteeringSession.ActiveOn(_lm) is not null);
            var next = Sampler.Next(processed.reshape(b * k, v), options, run.Generator, window.FirstStep + step).view(b, k); // (B, K)
            var forced = pattern.select(2, position);                                     // (B, K)
            sequence.select(2, position).copy_(torch.where(forced.eq(Scalars.MinusOne), next, forced));

            run.Scores?.Add(processed.cpu().MoveToOuterDisposeScope());
            run.Inputs?.Add(input.select(2, input.shape[2] - 1).cpu().MoveToOuterDisposeScope());
            run.Logits?.Add(logits.cpu().MoveToOuterDisposeScope());

            // frame f is complete once its last codebook (column f + Kc) is in
            int complete = Math.Min(window.Frames, position - kc + 1);
            if (run.OnFrames is not null && complete > emitted)
            {
                run.OnFrames(DelayPattern.Frames(sequence, emitted, complete - emitted, config.AudioChannels).cpu()); // (B, K, n)
                emitted = complete;
            }
            run.Progress?.Report(new GenerationProgress(window.FirstStep + step + 1, run.Plan.TotalSteps, run.Clock.Elapsed)
            { Window = window.Index, Windows = run.Plan.Windows.Count });
        }

        // 4. codes: the delayed sequence without its pad tokens
        return (DelayPattern.Revert(sequence, _padToken), sequence, pattern);
    }
}
