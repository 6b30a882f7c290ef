using Smitin.Audio;
using Smitin.Data;
using Smitin.Models;
using Smitin.Models.Decoder;
using TorchSharp;
using static TorchSharp.torch;

namespace Smitin.Probing;

/// <summary>
/// Records the probe-site activations of segments (docs/method.md §2-§3): segment → EnCodec codes → the decoder fed
/// teacher-forced with the start token and the delay pattern (the full pattern of the known codes, as the reference's
/// <c>build_delay_pattern_mask</c> gives it: F + Kc positions for F frames), without text (unconditional: no
/// cross-attention memory, which is exactly the reference's all-zero memory with an all-zero mask) → z_{l,h} of every
/// self-attention layer and head at the LAST position, read from the <c>hook_z</c> points.
/// MusicGen Melody has no cross-attention: "without text" is the reference's unconditional input for that
/// architecture, the prefix of an unconditional row = chroma_length rows of the null chroma (projected one-hot C)
/// then one all-zero text row (what <c>generate()</c> builds when no text is given), fed before the codes
/// (docs/melody.md). Those rows are attended to (the reference masks nothing), so their count is part of the definition.
/// Not thread-safe with other users of the same model (hooks are model state).
/// </summary>
public sealed class ActivationCapture
{
    /// <summary>Recorded with every cached activation: changing the capture definition invalidates the cache.</summary>
    const string Settings = "position=last;conditioning=none;pattern=full";
    /// <summary>The same for MusicGen Melody: the unconditional prefix (null chroma, one zero text row).</summary>
    const string MelodySettings = "position=last;conditioning=null-chroma+1-zero-text-row;pattern=full";

    readonly MusicGen _model;
    readonly CaptureOptions _options;

    /// <summary>Capture on <paramref name="model"/> (its decoder's <c>hook_z</c> points).</summary>
    /// <param name="model">the model whose activations are probed</param>
    /// <param name="options">batch size and caching; null = defaults</param>
    /// <exception cref="OptionException">an option is out of range</exception>
    public ActivationCapture(MusicGen model, CaptureOptions? options = null)
    {
        _model = model;
        _options = options ?? new CaptureOptions();
        _options.Validate();
    }

    /// <summary>Decoder layers L.</summary>
    public int Layers => _model.Config.Decoder.NumHiddenLayers;
    /// <summary>Heads H per layer.</summary>
    public int Heads => _model.Config.Decoder.NumAttentionHeads;
    /// <summary>Head size D.</summary>
    public int HeadDim => _model.Config.Decoder.HeadDim;

    /// <summary>
    /// z at the last position for known codes.
    /// </summary>
    /// <param name="codes">(B, K, F) undelayed codes (as <see cref="MusicGen.EncodeAudio"/> returns them)</param>
    /// <param name="memory">(B, S, D) projected text states for a conditioned pass (parity checks); null = unconditional</param>
    /// <param name="memoryMask">(B, S) 1 = attend</param>
    /// <param name="prefix">MusicGen Melody: (B, P, D) conditioning prefix for a conditioned pass; null = the unconditional
    /// prefix (null chroma, one zero text row)</param>
    /// <returns>(B, L, H, Dh) float32 on the CPU</returns>
    public Tensor CaptureCodes(Tensor codes, Tensor? memory = null, Tensor? memoryMask = null, Tensor? prefix = null)
    {
        var lm = _model.Decoder;
        var cfg = _model.Config.Decoder;
        if (codes.dim() != 3 || codes.shape[1] != cfg.NumCodebooks)
            throw new SmitinException($"capture codes: got shape [{string.Join(", ", codes.shape)}], expected (B, {cfg.NumCodebooks}, frames)");
        int kc = DelayPattern.CodebooksPerChannel(cfg.NumCodebooks, cfg.AudioChannels);
        long b = codes.shape[0], frames = codes.shape[2];
        if (frames < kc - 1)
            throw new SmitinException($"capture codes: {frames} frames are too few for the delay pattern of {kc} codebooks (need ≥ {kc - 1})");
        long conditioning = _model.IsMelody ? prefix?.shape[1] ?? _model.Config.Melody!.ChromaLength + 1 : 0;
        if (conditioning + frames + kc > cfg.MaxPositionEmbeddings)
            throw new SmitinException($"capture codes: {frames} frames need {conditioning + frames + kc} positions{(conditioning > 0 ? $" ({conditioning} conditioning prefix rows included)" : "")}, the decoder has {cfg.MaxPositionEmbeddings} (decoder.max_position_embeddings); use shorter segments");

        var result = torch.zeros(b, Layers, Heads, HeadDim, ScalarType.Float32);     // (B, L, H, Dh), CPU
        using (var scope = torch.NewDisposeScope())
        {
            int start = _model.Config.DecoderStartTokenId;
            var ids = DelayPattern.WithStartToken(codes.to(ScalarType.Int64), start); // (B, K, F + 1)
            var (_, pattern) = DelayPattern.Build(ids, start, (int)(frames + kc), cfg.AudioChannels); // (B, K, F + Kc), no -1
            using var hook = lm.AddHeadHook((layer, z) =>                              // z: (B, T, H, Dh)
            {
                result.select(1, layer).copy_(z.select(1, z.shape[1] - 1));            // (B, H, Dh)
                return null;
            });
            if (_model.IsMelody && prefix is null) prefix = _model.BuildMelodyPrefix(null, null, (int)b).Unconditional; // (B, chroma_length + 1, D)
            lm.Forward(pattern, memory, memoryMask, lastPositionOnly: true, prefix: prefix);
        }
        return result;
    }

    /// <summary>
    /// Captures every segment (in order) with its label. Segments are processed in batches as they are enumerated, so a
    /// lazy dataset is never held in memory at once; their activations are (<see cref="CaptureOptions.BytesPerSegment"/>
    /// each). <paramref name="expectedCount"/> (optional) only feeds progress, reported under the name <paramref name="stage"/>.
    /// </summary>
    /// <param name="segments">the segments, enumerated once, in order</param>
    /// <param name="progress">reports (<paramref name="stage"/>, segments done, expected) after every batch</param>
    /// <param name="cancellationToken">checked before every segment and every forward pass</param>
    /// <param name="expectedCount">segments expected, for progress only (0 = unknown)</param>
    /// <param name="stage">name of the stage in progress reports and in the limit's message</param>
    /// <param name="heldBefore">segments already captured in the same run (the training split when this is the
    /// validation split): they count towards <see cref="CaptureOptions.MaxSegments"/></param>
    /// <exception cref="OptionException">the segments outnumber <see cref="CaptureOptions.MaxSegments"/> (refused when the
    /// first one too many arrives, before it is captured)</exception>
    public ActivationSet Capture(IEnumerable<Segment> segments, IProgress<ProbeProgress>? progress = null,
        CancellationToken cancellationToken = default, int expectedCount = 0, string stage = "capture", int heldBefore = 0)
    {
        Native.TorchRuntime.Ensure();
        int rowLen = Layers * Heads * HeadDim;
        long limit = Math.Min(_options.MaxSegments, CaptureOptions.ArrayLimit(Layers, Heads, HeadDim));
        var values = new List<float[]>();
        var labels = new List<bool>();
        var batch = new List<Segment>(_options.BatchSize);
        int done = 0;

        void Flush()
        {
            foreach (var z in CaptureBatch(batch, cancellationToken)) values.Add(z);
            labels.AddRange(batch.Select(s => s.HasTrait));
            done += batch.Count;
            batch.Clear();
            progress?.Report(new ProbeProgress(stage, done, Math.Max(done, expectedCount)));
        }

        foreach (var segment in segments)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (heldBefore + done + batch.Count + 1 > limit)
                _options.CheckSegmentCount(heldBefore + done + batch.Count + 1, Layers, Heads, HeadDim, $"{stage}: at least");
            batch.Add(segment);
            if (batch.Count == _options.BatchSize) Flush();
        }
        if (batch.Count > 0) Flush();

        var flat = new float[(long)values.Count * rowLen];
        for (int i = 0; i < values.Count; i++) values[i].CopyTo(flat, (long)i * rowLen);
        return new ActivationSet(flat, labels.ToArray(), Layers, Heads, HeadDim);
    }

    /// <summary>z (L*H*D floats) per segment of the batch, from the activation cache or a forward pass.</summary>
    List<float[]> CaptureBatch(IReadOnlyList<Segment> batch, CancellationToken ct)
    {
        int rowLen = Layers * Heads * HeadDim;
        var clips = batch.Select(s => _model.Conform(s.Audio)).ToArray();
        var result = new float[batch.Count][];
        var paths = new string?[batch.Count];
        var todo = new List<int>();
        for (int i = 0; i < batch.Count; i++)
        {
            result[i] = new float[rowLen];
            if (_options.ActivationCache is { } cache)
            {
                paths[i] = cache.PathFor(_model.Identity, _model.IsMelody ? MelodySettings : Settings, clips[i]);
                if (cache.TryGet(paths[i]!, Layers, Heads, HeadDim, result[i])) continue;
            }
            todo.Add(i);
        }
        // Equal frame counts share a forward pass (labelled sources may yield a shorter last segment).
        foreach (var group in todo.GroupBy(i => clips[i].Frames))
        {
            ct.ThrowIfCancellationRequested();
            var idx = group.ToArray();
            using var scope = torch.NewDisposeScope();
            var codes = Encode(idx.Select(i => clips[i]).ToArray());               // (G, K, F)
            var z = CaptureCodes(codes).contiguous();                              // (G, L, H, Dh)
            var flat = z.data<float>().ToArray();
            z.Dispose();
            for (int g = 0; g < idx.Length; g++)
            {
                flat.AsSpan(g * rowLen, rowLen).CopyTo(result[idx[g]]);
                if (_options.ActivationCache is { } cache) cache.Put(paths[idx[g]]!, Layers, Heads, HeadDim, result[idx[g]]);
            }
        }
        return [.. result];
    }

    /// <summary>Codes (G, K, F) for clips of equal length, through the codes cache when there is one.</summary>
    Tensor Encode(AudioClip[] clips)
    {
        var cache = _options.CodesCache;
        var known = new EncodedCodes?[clips.Length];
        if (cache is not null)
            for (int i = 0; i < clips.Length; i++)
                if (cache.TryGet(_model.Identity, clips[i], out var hit)) known[i] = hit;
        var missing = Enumerable.Range(0, clips.Length).Where(i => known[i] is null).ToArray();
        if (missing.Length > 0)
        {
            using var scope = torch.NewDisposeScope();
            var audio = torch.stack(missing.Select(i => clips[i].ToTensor()).ToArray()).to(_model.Device); // (M, C, T)
            var codes = _model.EncodeAudio(audio).cpu().contiguous();                                       // (M, K, F)
            long k = codes.shape[1], f = codes.shape[2];
            var data = codes.data<long>().ToArray();
            for (int m = 0; m < missing.Length; m++)
            {
                var entry = EncodedCodes.Create(data.AsSpan((int)(m * k * f), (int)(k * f)).ToArray(), [1, k, f]); // (1, K, F)
                known[missing[m]] = entry;
                cache?.Put(_model.Identity, clips[missing[m]], entry);
            }
        }
        var first = known[0]!;
        if (first.Shape.Length != 3 || first.Shape[0] != 1 || known.Any(c => !c!.Shape.SequenceEqual(first.Shape)))
            throw new SmitinException($"codes of one batch differ in shape (expected (1, K, F) for every segment, got {string.Join(", ", known.Select(c => "[" + string.Join(", ", c!.Shape) + "]"))})");
        var all = known.SelectMany(c => c!.Data).ToArray();
        return torch.tensor(all, new long[] { clips.Length, first.Shape[1], first.Shape[2] });
    }
}
