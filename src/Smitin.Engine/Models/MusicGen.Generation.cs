using Smitin.Audio;
using Smitin.Generation;
using Smitin.IO;
using Smitin.Models.Melody;
using TorchSharp;
using static TorchSharp.torch;

namespace Smitin.Models;

/// <summary>Text-to-music and audio continuation over the whole model: T5 → decoder LM → EnCodec.</summary>
public sealed partial class MusicGen
{
    /// <summary>
    /// Generates one clip per text prompt (a batch), optionally continuing an audio prompt. A duration longer than the
    /// model's window is generated window by window (<see cref="WindowPlan"/>: <see cref="GenerationOptions.MaxDurationSeconds"/>,
    /// <see cref="GenerationOptions.ExtendStrideSeconds"/>), steering carried across; what cannot fit is refused before
    /// the first step.
    /// </summary>
    /// <param name="texts">B text prompts</param>
    /// <param name="options">sampling, guidance, length, seed (defaults: audiocraft's)</param>
    /// <param name="audioPrompt">(1 or B, <see cref="AudioChannels"/>, T) audio at <see cref="SampleRate"/> to continue; its
    /// frames are re-decoded at the start of the result, as the reference does. One prompt is shared by every text.</param>
    /// <param name="decodeAudio">decode the codes to <see cref="GenerationResult.Audio"/></param>
    /// <param name="progress">decoder steps done (per window for long pieces)</param>
    /// <param name="cancellationToken">checked before every decoder step and before decoding</param>
    /// <returns>codes (B, K, frames), the audio (B, C, T) at <see cref="SampleRate"/> when decoded, the resolved
    /// options and seed, and the steering record when steered</returns>
    /// <exception cref="SmitinException">no prompt; an option out of range; an audio prompt of the wrong shape; a
    /// length
    /// that cannot fit; a steering plan for another model; not enough memory for the request (estimated
    /// first)</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled</exception>
    public GenerationResult Generate(IReadOnlyList<string> texts, GenerationOptions? options = null, Tensor? audioPrompt = null,
        IProgress<GenerationProgress>? progress = null, CancellationToken cancellationToken = default, bool decodeAudio = true)
    {
        if (texts.Count == 0) throw new SmitinException("generate: give at least one text prompt");
        options ??= new GenerationOptions();
        options.Validate();
        EnsureSteeringFits(options);
        if (IsMelody)
        {
            if (audioPrompt is not null)
                throw new SmitinException("generate: a MusicGen Melody model does not continue an audio prompt (the reference's generate has no audio-prompt step); give the tune as a melody instead");
            return GenerateMelody(texts, CheckTextRequest(texts, options, null, decodeAudio), null, texts.Count, options, progress, cancellationToken, decodeAudio, windowChroma: null);
        }
        var tokens = CheckTextRequest(texts, options, audioPrompt, decodeAudio)!;
        using var scope = torch.NewDisposeScope();
        var promptCodes = PromptCodes(texts.Count, audioPrompt);                                // (B, K, P) or null
        using var text = EncodeText(tokens);
        var result = CreateCodeGenerator().Generate(text.EncoderHiddenStates, text.AttentionMask, promptCodes, options,
            progress, cancellationToken, texts: texts.ToArray());
        return decodeAudio ? WithAudio(result, cancellationToken) : result;
    }

    /// <summary>
    /// Generates without any text condition: no cross-attention memory at all, as Hugging Face's
    /// <c>get_unconditional_inputs</c> (zero encoder states, zero mask) and audiocraft's
    /// <c>generate_continuation(prompt, descriptions=None)</c> (a missing description is masked to the null condition).
    /// The conditional and unconditional rows of classifier-free guidance are then the same, so guidance changes nothing
    /// and is skipped. This is the condition probes are captured in (<see cref="Probing.ProbeSetOptions"/>: unconditional),
    /// and not the same as the text "" (T5 of <c>&lt;/s&gt;</c> alone, a real condition the model may or may not have
    /// seen in training).
    /// </summary>
    /// <param name="batchSize">B, clips generated</param>
    /// <param name="options">sampling, length, seed, steering (guidance is ignored)</param>
    /// <param name="audioPrompt">(1 or B, <see cref="AudioChannels"/>, T) audio at <see cref="SampleRate"/> to continue,
    /// or null; its frames are re-decoded at the start of the result, as <see cref="Generate(IReadOnlyList{string}, GenerationOptions?, Tensor?, IProgress{GenerationProgress}?, CancellationToken, bool)"/></param>
    /// <param name="progress">decoder steps done (per window for long pieces)</param>
    /// <param name="cancellationToken">checked before every decoder step and before decoding</param>
    /// <param name="decodeAudio">decode the codes to <see cref="GenerationResult.Audio"/></param>
    /// <returns>codes (B, K, frames), the audio (B, C, T) when decoded; <see cref="GenerationResult.Texts"/> is empty</returns>
    /// <exception cref="SmitinException">B &lt; 1; a MusicGen Melody model (its unconditional rows need the melody
    /// prefix: use <see cref="GenerateMelody(IReadOnlyList{string}, Tensor?, int, GenerationOptions, IProgress{GenerationProgress}?, CancellationToken, bool)"/>);
    /// an option out of range; an audio prompt of the wrong shape; a length that cannot fit; a steering plan for another
    /// model; not enough memory</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled</exception>
    public GenerationResult GenerateUnconditional(int batchSize, GenerationOptions? options = null, Tensor? audioPrompt = null,
        IProgress<GenerationProgress>? progress = null, CancellationToken cancellationToken = default, bool decodeAudio = true)
    {
        if (batchSize < 1) throw new SmitinException($"generate: batch size {batchSize}, expected at least 1");
        if (IsMelody)
            throw new SmitinException("generate: unconditional generation of a MusicGen Melody model goes through GenerateMelody (its unconditional rows carry the null chroma prefix)");
        options ??= new GenerationOptions();
        options.Validate();
        EnsureSteeringFits(options);
        CheckTextRequest([], options, audioPrompt, decodeAudio, batchSize);
        using var scope = torch.NewDisposeScope();
        var promptCodes = PromptCodes(batchSize, audioPrompt);                                  // (B, K, P) or null
        var result = CreateCodeGenerator().Generate(null, null, promptCodes, options, progress, cancellationToken, batchSize: batchSize);
        return decodeAudio ? WithAudio(result, cancellationToken) : result;
    }

    /// <summary>
    /// The bounds of a text (and audio prompt) request, checked before anything is encoded: the audio prompt's frames
    /// (floor: the exact count is checked again by the code generator) plus the request must fit the decoder's context,
    /// every prompt fits <c>model_max_length</c>, and the batch's caches and audio fit in memory. MusicGen Melody requests
    /// use it too (no audio prompt; the melody prefix not counted: a lower bound).
    /// </summary>
    /// <param name="texts">the text prompts (may be empty for melody-only requests)</param>
    /// <param name="options">length, guidance and window options</param>
    /// <param name="audioPrompt">(1 or B, C, T) audio prompt, or null</param>
    /// <param name="decodeAudio">the codes will be decoded (counts the decoder's memory)</param>
    /// <param name="batch">rows generated when they are not the texts (melody-only requests); default: the text count</param>
    /// <returns>the prompts' tokens; null when there are no texts</returns>
    /// <exception cref="SmitinException">a length that cannot fit, a prompt too long, too many prompts for the memory</exception>
    Text.TokenBatch? CheckTextRequest(IReadOnlyList<string> texts, GenerationOptions options, Tensor? audioPrompt, bool decodeAudio, int? batch = null)
    {
        long promptSamples = audioPrompt is { } a && a.dim() == 3 ? a.shape[2] : 0;
        int estimatedFrames = (int)Math.Min(int.MaxValue, Math.Floor(promptSamples * FrameRate / SampleRate));
        int kc = Models.Decoder.DelayPattern.CodebooksPerChannel(Config.Decoder.NumCodebooks, Config.Decoder.AudioChannels);
        var plan = WindowPlan.Resolve(options, estimatedFrames, kc, FrameRate, Config.Decoder.MaxPositionEmbeddings); // refuses what cannot fit
        int steps = plan.Windows.Max(w => w.Steps);                                           // caches are per window
        var tokens = texts.Count > 0 ? Tokenizer.EncodeBatch(texts) : null;                   // refuses prompts over model_max_length
        EnsureMemoryFits(batch ?? texts.Count, tokens?.Length ?? 0, estimatedFrames, steps, options.Guided, decodeAudio);
        return tokens;
    }

    /// <summary>(1 or B, C, T) audio prompt → (B, K, P) codes on the model device, or null.</summary>
    Tensor? PromptCodes(int batch, Tensor? audioPrompt)
    {
        if (audioPrompt is null) return null;
        if (audioPrompt.dim() != 3 || audioPrompt.shape[1] != AudioChannels || (audioPrompt.shape[0] != 1 && audioPrompt.shape[0] != batch))
            throw new SmitinException($"audio prompt has shape {WeightLoader.Shape(audioPrompt.shape)}, expected (1 or {batch}, {AudioChannels}, samples) at {SampleRate} Hz");
        var audio = audioPrompt.to(ScalarType.Float32, Device);
        if (audio.shape[0] != batch) audio = audio.expand(batch, -1, -1);
        return EncodeAudio(audio);                                                                // (B, K, P)
    }

    /// <summary>Share of the machine's memory (<see cref="GCMemoryInfo.TotalAvailableMemoryBytes"/>: physical memory or the
    /// container's limit) a generation may plan to use; the rest is for the weights and everything else.</summary>
    public const double GenerationMemoryShare = 0.75;

    /// <summary>
    /// A lower bound of the bytes one generation allocates, float32: the decoder's key/value caches
    /// (2 × layers × rows × positions × hidden, self- and cross-attention; rows = 2B with guidance), T5's attention
    /// scores (B × heads × S²) and, when decoding, EnCodec's first full-rate layer (B × 2 num_filters × samples).
    /// </summary>
    /// <param name="batch">B, text prompts</param>
    /// <param name="textTokens">S, tokens of the longest prompt</param>
    /// <param name="promptFrames">P, audio-prompt frames</param>
    /// <param name="steps">decoder steps</param>
    /// <param name="guided">classifier-free guidance on (2B decoder rows)</param>
    /// <param name="decodeAudio">the codes are decoded to audio</param>
    public long EstimateGenerationBytes(int batch, int textTokens, int promptFrames, int steps, bool guided, bool decodeAudio)
    {
        var d = Config.Decoder; var t = Config.TextEncoder; var a = Config.AudioEncoder;
        double rows = guided ? 2.0 * batch : batch;
        double positions = promptFrames + 1.0 + steps;
        double bytes = 4.0 * 2 * d.NumHiddenLayers * rows * (positions + textTokens) * d.HiddenSize
            + 4.0 * batch * t.NumHeads * (double)textTokens * textTokens;
        if (decodeAudio) bytes += 4.0 * batch * 2 * a.NumFilters * (promptFrames + steps) * a.HopLength * Math.Max(1, a.AudioChannels);
        return (long)Math.Min(long.MaxValue, bytes);
    }

    /// <exception cref="SmitinException">the request needs more than <see cref="GenerationMemoryShare"/> of the memory:
    /// the message says how many prompts fit</exception>
    void EnsureMemoryFits(int batch, int textTokens, int promptFrames, int steps, bool guided, bool decodeAudio)
    {
        long budget = (long)(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes * GenerationMemoryShare);
        long need = EstimateGenerationBytes(batch, textTokens, promptFrames, steps, guided, decodeAudio);
        if (need <= budget) return;
        long perPrompt = Math.Max(1, EstimateGenerationBytes(1, textTokens, promptFrames, steps, guided, decodeAudio));
        throw new SmitinException($"{batch} prompt(s) of {steps} decoder steps need at least {need / 1e9:0.##} GB (key/value caches, text attention, audio decoding), " +
            $"more than {GenerationMemoryShare:P0} of this machine's {budget / GenerationMemoryShare / 1e9:0.#} GB: at most {budget / perPrompt} prompt(s) of this length fit in one call; " +
            "generate in several calls or shorten the duration");
    }

    /// <summary>
    /// Every path that applies a probe set to this model's decoder comes through here or through
    /// <see cref="Steering.SteeringExtensions.Steer(MusicGen, Steering.InterventionPlan)"/>: the plan of
    /// <see cref="GenerationOptions.Steering"/> and a session opened on <see cref="Decoder"/> directly are both checked
    /// against this model's identity (not only the decoder's shape), so probes of another checkpoint are refused.
    /// </summary>
    /// <exception cref="SmitinException">a probe set was trained on another model</exception>
    void EnsureSteeringFits(GenerationOptions options)
    {
        var identity = Probing.ProbeModelIdentity.Of(this);
        options.Steering?.EnsureModel(identity);
        Steering.SteeringSession.ActiveOn(Decoder)?.Plan.EnsureModel(identity);
    }

    /// <summary>
    /// MusicGen Melody: generates one clip per prompt conditioned on text and a melody (chroma), as the reference's
    /// <c>MusicgenMelodyForConditionalGeneration.generate(input_ids, input_features)</c>. The melodies are batched as the
    /// reference's processor does: each cut to <c>chunk_length</c> seconds, the shorter ones zero-padded to the longest.
    /// </summary>
    /// <param name="texts">B text prompts, or none for melody-only conditioning (then B = melodies)</param>
    /// <param name="melodies">one melody per prompt, or one for all prompts; any rate and channel count (resampled to the
    /// extractor's rate, channels averaged). Give it with drums and bass already removed if that is wanted: there is no
    /// source separator here (docs/melody.md).</param>
    /// <param name="options">sampling, guidance, length, seed (guidance rows: null chroma and zero text, as the reference).
    /// A duration longer than one window is generated window by window (<see cref="WindowPlan"/>), each window conditioned
    /// on the melody's stretch under it (<see cref="MelodyWindow.Stretch"/>: from the window's first frame, one window
    /// long, read periodically past the melody's end), as audiocraft's <c>MusicGen._generate_tokens</c> re-cuts the
    /// melody per window; a piece of one window is conditioned on the whole melody, as the reference.</param>
    /// <exception cref="SmitinException">plain MusicGen model; no melody; melody count neither 1 nor the prompt count</exception>
    /// <param name="progress">decoder steps done</param>
    /// <param name="cancellationToken">checked before every decoder step and before decoding</param>
    /// <param name="decodeAudio">decode the codes to <see cref="GenerationResult.Audio"/></param>
    public GenerationResult Generate(IReadOnlyList<string> texts, IReadOnlyList<AudioClip> melodies, GenerationOptions? options = null,
        IProgress<GenerationProgress>? progress = null, CancellationToken cancellationToken = default, bool decodeAudio = true)
    {
        if (!IsMelody)
            throw new SmitinException($"generate: {Folder} is a plain MusicGen model (model_type '{Config.ModelType}'): melody conditioning needs a MusicGen Melody checkpoint (model_type 'musicgen_melody')");
        if (melodies.Count == 0) throw new SmitinException("generate: give at least one melody (or use the text-only overload)");
        if (texts.Count > 0 && melodies.Count != 1 && melodies.Count != texts.Count)
            throw new SmitinException($"generate: {melodies.Count} melodies for {texts.Count} text prompts: give one melody per prompt, or one for all");
        options ??= new GenerationOptions();
        options.Validate();
        int b = texts.Count > 0 ? texts.Count : melodies.Count;
        var tokens = CheckTextRequest(texts, options, null, decodeAudio, b);                  // before any chroma is extracted
        var batch = melodies.Count == b ? melodies : Enumerable.Repeat(melodies[0], b).ToArray();
        using var chroma = Chroma.Extract(batch);
        return GenerateMelody(texts, tokens, chroma.OneHot, b, options, progress, cancellationToken, decodeAudio,
            (plan, window) => Chroma.Extract(batch.Select(m => MelodyWindow.Stretch(m, window.FirstFrame / plan.FrameRate, plan.WindowFrames / plan.FrameRate)).ToList()));
    }

    /// <summary>
    /// MusicGen Melody generation from chroma features (the reference's <c>input_features</c>).
    /// </summary>
    /// <param name="texts">B prompts, or none (melody-only: one zero text row, as the reference)</param>
    /// <param name="chroma">(B, F, num_chroma) one-hot chroma, or null (text-only: the null chroma)</param>
    /// <param name="batchSize">B when there is neither text nor chroma (unconditional)</param>
    /// <param name="progress">decoder steps done</param>
    /// <param name="options">sampling, guidance, length, seed</param>
    /// <param name="cancellationToken">checked before every decoder step and before decoding</param>
    /// <param name="decodeAudio">decode the codes to <see cref="GenerationResult.Audio"/></param>
    /// <remarks>Features cannot be re-cut per window: with <paramref name="chroma"/>, a duration longer than one window is
    /// refused (give the melody as audio to <see cref="Generate(IReadOnlyList{string}, IReadOnlyList{AudioClip}, GenerationOptions?, IProgress{GenerationProgress}?, CancellationToken, bool)"/>);
    /// text-only (null chroma) runs window by window with the same prefix in every window.</remarks>
    public GenerationResult GenerateMelody(IReadOnlyList<string> texts, Tensor? chroma, int batchSize, GenerationOptions options,
        IProgress<GenerationProgress>? progress = null, CancellationToken cancellationToken = default, bool decodeAudio = true)
    {
        options.Validate();
        var tokens = CheckTextRequest(texts, options, null, decodeAudio, texts.Count > 0 ? texts.Count : chroma is { } c ? (int)c.shape[0] : batchSize);
        return GenerateMelody(texts, tokens, chroma, batchSize, options, progress, cancellationToken, decodeAudio, windowChroma: null);
    }

    /// <summary>
    /// <see cref="GenerateMelody(IReadOnlyList{string}, Tensor?, int, GenerationOptions, IProgress{GenerationProgress}?, CancellationToken, bool)"/>
    /// with, for a piece longer than one window, each window's chroma.
    /// </summary>
    /// <param name="texts">B prompts, or none</param>
    /// <param name="tokens">their tokens, from <see cref="CheckTextRequest"/> (null without texts)</param>
    /// <param name="chroma">(B, F, num_chroma) one-hot chroma of the whole melody, or null (text-only)</param>
    /// <param name="batchSize">B when there is neither text nor chroma</param>
    /// <param name="options">sampling, guidance, length, seed</param>
    /// <param name="progress">decoder steps done</param>
    /// <param name="cancellationToken">checked before every decoder step and before decoding</param>
    /// <param name="decodeAudio">decode the codes to <see cref="GenerationResult.Audio"/></param>
    /// <param name="windowChroma">long-form: the chroma of a window's stretch of the melody (null: features cannot be re-cut)</param>
    GenerationResult GenerateMelody(IReadOnlyList<string> texts, Text.TokenBatch? tokens, Tensor? chroma, int batchSize, GenerationOptions options,
        IProgress<GenerationProgress>? progress, CancellationToken cancellationToken, bool decodeAudio,
        Func<WindowPlan, GenerationWindow, ChromaFeatures>? windowChroma)
    {
        options.Validate();
        EnsureSteeringFits(options);
        using var scope = torch.NewDisposeScope();
        using var text = tokens is not null ? EncodeText(tokens) : null;
        var (prefix, unconditional) = BuildMelodyPrefix(text, chroma, batchSize);
        (Tensor, Tensor) StretchPrefix(WindowPlan plan, GenerationWindow window)
        {
            using var features = windowChroma!(plan, window);
            return BuildMelodyPrefix(text, features.OneHot, batchSize);                        // (B, P, D) each
        }
        Func<WindowPlan, GenerationWindow, (Tensor, Tensor)>? windowPrefix = windowChroma is not null ? StretchPrefix
            : chroma is null ? (_, _) => (prefix, unconditional)                                // text-only: the same in every window
            : null;
        var result = CreateCodeGenerator().Generate(null, null, null, options, progress, cancellationToken,
            batchSize: (int)prefix.shape[0], texts: texts.ToArray(), prefix: prefix, unconditionalPrefix: unconditional, windowPrefix: windowPrefix);
        return decodeAudio ? WithAudio(result, cancellationToken) : result;
    }

    /// <summary>Same, with the audio prompt as a clip of any rate and channel count (converted to the model's).</summary>
    public GenerationResult Generate(IReadOnlyList<string> texts, AudioClip audioPrompt, GenerationOptions? options = null,
        IProgress<GenerationProgress>? progress = null, CancellationToken cancellationToken = default, bool decodeAudio = true)
    {
        var clip = Conform(audioPrompt);
        using var scope = torch.NewDisposeScope();                                             // the result's tensors are detached
        var audio = clip.ToTensor().unsqueeze(0);                                               // (1, C, T)
        return Generate(texts, options, audio, progress, cancellationToken, decodeAudio);
    }

    /// <summary>Decodes <paramref name="result"/>'s codes into its audio (B, C, T) on the CPU; disposes the result when
    /// decoding fails or is cancelled.</summary>
    GenerationResult WithAudio(GenerationResult result, CancellationToken cancellationToken)
    {
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            // The key/value caches are freed by now, but their pages stay resident in the C heap; handed back first so
            // that the decode's buffers do not come on top of them (measured, 30 s at musicgen-small shapes: peak RSS
            // 2.95 GB with the decode after the freed caches, against 2.71 GB at the end of the decoder steps).
            Native.TorchRuntime.ReleaseFreedHeap();
            result.Audio = DecodeCodes(result.Codes.to(Device)).cpu().DetachFromDisposeScope(); // (B, C, T)
            result.SampleRate = SampleRate;
            return result;
        }
        catch
        {
            result.Dispose();
            throw;
        }
    }
}
