using System.Diagnostics;
using Smitin.Models.Decoder;
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
/// unconditional rows take the unconditional prefix the caller built (null chroma, zero text rows).
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

    public int CodebooksPerChannel => DelayPattern.CodebooksPerChannel(_lm.Config.NumCodebooks, _lm.Config.AudioChannels);

    /// <param name="memory">(B, S, D) projected text states (masked), or null for unconditional generation (then no
    /// cross-attention, and guidance changes nothing: it is skipped)</param>
    /// <param name="memoryMask">(B, S) 1 = token, 0 = padding</param>
    /// <param name="promptCodes">(B, K, P) audio-prompt codes to continue, or null</param>
    /// <param name="options">sampling, guidance, length, seed</param>
    /// <param name="batchSize">B when neither memory nor prompt gives it</param>
    /// <param name="prefix">melody decoder: (B, P, D) conditioning prefix (see <c>MusicGen.BuildMelodyPrefix</c>), instead of a memory</param>
    /// <param name="unconditionalPrefix">(B, P, D) prefix of the unconditional rows; required with a prefix and guidance</param>
    /// <remarks>Steering: <see cref="GenerationOptions.Steering"/> applies a plan for this call only (its hooks are
    /// removed when the call ends, also on errors and cancellation); a session opened with <c>lm.Steer(plan)</c> around
    /// the call applies too. Either way the plan and the monitor trace land in <see cref="GenerationResult.Steering"/>.</remarks>
    public GenerationResult Generate(Tensor? memory, Tensor? memoryMask, Tensor? promptCodes, GenerationOptions options,
        IProgress<GenerationProgress>? progress = null, CancellationToken cancellationToken = default, int batchSize = 1,
        IReadOnlyList<string>? texts = null, Tensor? prefix = null, Tensor? unconditionalPrefix = null)
    {
        options.Validate();
        using var ownSteering = options.Steering is null ? null : _lm.Steer(options.Steering);
        var steering = SteeringSession.ActiveOn(_lm);
        GenerationResult result;
        try
        {
            result = GenerateCodes(memory, memoryMask, promptCodes, options, progress, cancellationToken, batchSize, texts, prefix, unconditionalPrefix);
        }
        catch
        {
            steering?.AbandonGeneration();
            throw;
        }
        return steering is null ? result : result with { Steering = steering.CompleteGeneration() };
    }

    /// <summary>
    /// Refuses non-finite scores before they reach the sampler (whose native multinomial would abort with "probability
    /// tensor contains either inf, nan or element &lt; 0"), naming the step and the option that produced them: the raw
    /// logits (model weights, or the steering shift α), or guidance (finite logits, non-finite after scaling).
    /// </summary>
    /// <param name="logits">(rows, K, V) raw logits of this step</param>
    /// <param name="processed">(B, K, V) scores after guidance</param>
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
        Tensor? condPrefix, Tensor? uncondPrefix)
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
        int k = config.NumCodebooks, v = config.VocabSize;
        if (promptCodes is not null && (promptCodes.dim() != 3 || promptCodes.shape[0] != b || promptCodes.shape[1] != k))
            throw new SmitinException($"audio prompt codes: got shape [{string.Join(", ", promptCodes.shape)}], expected ({b}, {k}, frames)");
        if (memoryMask is not null && memory is null) throw new SmitinException("a text mask was given without text states");
        int promptFrames = (int)(promptCodes?.shape[2] ?? 0);
        int conditioningRows = (int)(condPrefix?.shape[1] ?? 0);                          // melody: the prefix takes positions first
        int steps = options.ResolveSteps(promptFrames, CodebooksPerChannel, _frameRate, config.MaxPositionEmbeddings, conditioningRows); // before any allocation
        long seed = options.Seed ?? Random.Shared.NextInt64(0, int.MaxValue);
        var used = options with { Seed = seed, MaxNewTokens = steps, GuidanceScale = options.GuidanceScale ?? _defaultGuidanceScale };
        bool guided = used.Guided && (memory is not null || condPrefix is not null);
        if (guided && condPrefix is not null && uncondPrefix is null)
            throw new SmitinException("generate: guidance with a conditioning prefix needs the unconditional prefix (MusicGen.BuildMelodyPrefix builds both)");
        int conditioning = (int)(condPrefix?.shape[1] ?? 0);
        int rows = guided ? 2 * b : b;

        using var outer = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var device = _lm.Device;

        // 1. undelayed ids (start token + prompt) → delayed prefix and pattern
        var ids = promptCodes is null
            ? torch.full(b, k, 1, (long)_startToken, ScalarType.Int64, device)
            : DelayPattern.WithStartToken(promptCodes.to(device), _startToken);        // (B, K, S)
        int maxLength = (int)ids.shape[2] + steps;
        var (prefix, pattern) = DelayPattern.Build(ids, _startToken, maxLength, config.AudioChannels);
        int prefixLength = (int)prefix.shape[2];
        if (prefixLength + steps > maxLength)
            throw new SmitinException($"internal: prefix {prefixLength} + {steps} steps exceeds max length {maxLength}");
        if (conditioning + maxLength - 1 > config.MaxPositionEmbeddings)                  // step N feeds position conditioning + P + N - 1
            throw new SmitinException($"generate: the conditioning prefix ({conditioning} rows) + {maxLength - 1} code positions exceed decoder.max_position_embeddings {config.MaxPositionEmbeddings}: generate fewer tokens");
        var sequence = torch.full(b, k, maxLength, (long)_padToken, ScalarType.Int64, device);  // (B, K, L) delayed, as fed
        sequence.narrow(2, 0, prefixLength).copy_(prefix);

        // 2. classifier-free guidance batch: conditional rows, then all-zero memory with an all-zero mask
        Tensor? mem = memory?.to(ScalarType.Float32, device);
        Tensor? mask = memory is null ? null : (memoryMask ?? torch.ones(memory.shape[0], memory.shape[1])).to(ScalarType.Int64, device);
        if (guided && mem is not null)
        {
            mem = torch.cat([mem, torch.zeros_like(mem)], 0);                         // (2B, S, D)
            mask = torch.cat([mask!, torch.zeros_like(mask!)], 0);                      // (2B, S)
        }
        // melody: conditional prefix rows, then the unconditional ones (null chroma, zero text)
        Tensor? pre = condPrefix?.to(ScalarType.Float32, device);
        if (guided && pre is not null) pre = torch.cat([pre, uncondPrefix!.to(ScalarType.Float32, device)], 0); // (2B, P, D)

        using var generator = options.IsGreedy ? null : new Generator((ulong)seed, device);
        using var cache = _lm.CreateCache(conditioning + maxLength);
        var scores = options.RecordScores ? new List<Tensor>(steps) : null;
        var inputs = options.RecordTrace ? new List<Tensor>(steps) : null;
        var logitsTrace = options.RecordTrace ? new List<Tensor>(steps) : null;
        var clock = Stopwatch.StartNew();

        // 3. decode
        for (int step = 0; step < steps; step++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var scope = torch.NewDisposeScope();
            int position = prefixLength + step;                                           // column predicted now
            var input = step == 0 ? prefix : sequence.narrow(2, position - 1, 1);         // (B, K, T)
            if (guided) input = torch.cat([input, input], 0);                             // (rows, K, T)
            var context = new GenerationContext(step, steps, prefixLength, b, guided) { ConditioningLength = conditioning };
            var logits = _lm.Forward(input, step == 0 ? mem : null, step == 0 ? mask : null, cache,
                lastPositionOnly: true, generation: context, prefix: step == 0 ? pre : null).squeeze(2); // (rows, K, V)
            var processed = guided
                ? logits.narrow(0, b, b) + (logits.narrow(0, 0, b) - logits.narrow(0, b, b)) * used.GuidanceScale!.Value
                : logits;                                                                 // (B, K, V)
            EnsureFinite(logits, processed, step, steps, options, steering: SteeringSession.ActiveOn(_lm) is not null);
            var next = Sampler.Next(processed.reshape(b * k, v), options, generator, step).view(b, k); // (B, K)
            var forced = pattern.select(2, position);                                     // (B, K)
            sequence.select(2, position).copy_(torch.where(forced.eq(-1), next, forced));

            scores?.Add(processed.cpu().MoveToOuterDisposeScope());
            inputs?.Add(input.select(2, input.shape[2] - 1).cpu().MoveToOuterDisposeScope());
            logitsTrace?.Add(logits.cpu().MoveToOuterDisposeScope());
            progress?.Report(new GenerationProgress(step + 1, steps, clock.Elapsed));
        }

        // 4. codes: the delayed sequence without its pad tokens
        var codes = DelayPattern.Revert(sequence, _padToken);
        return new GenerationResult
        {
            Codes = codes.cpu().DetachFromDisposeScope(),
            Delayed = sequence.cpu().DetachFromDisposeScope(),
            Pattern = pattern.cpu().DetachFromDisposeScope(),
            Seed = seed,
            Options = used,
            Texts = texts ?? [],
            PromptFrames = promptFrames,
            StepScores = scores is null ? null : torch.stack(scores).DetachFromDisposeScope(),
            Trace = inputs is null ? null : new GenerationTrace(torch.stack(inputs).DetachFromDisposeScope(), torch.stack(logitsTrace!).DetachFromDisposeScope()),
        };
    }
}
