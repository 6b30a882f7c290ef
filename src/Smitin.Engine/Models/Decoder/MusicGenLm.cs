using Smitin.Generation;
using Smitin.Native;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Smitin.Models.Decoder;

/// <summary>
/// The MusicGen language model over EnCodec codebooks (reference <c>MusicgenForCausalLM</c>, checkpoint keys
/// <c>decoder.*</c>): the decoder stack plus one LM head per codebook (vocab logits; the start token can never be
/// produced). Inference only: parameters never require gradients.
///
/// Ids are (B, K, T) here (the reference flattens them to (B*K, T), batch-major). Every self-attention layer has a
/// hook point at the input of <c>out_proj</c> (see <see cref="AddHeadHook(HeadHook)"/>).
///
/// The same class is the MusicGen Melody LM (<c>MusicgenMelodyForCausalLM</c>, <see cref="DecoderConfig.HasCrossAttention"/>
/// false): no cross-attention; the conditioning is a prefix of embeddings handed to <see cref="Forward"/>.
/// </summary>
public sealed class MusicGenLm : nn.Module
{
    /// <summary>The decoder stack (reference <c>MusicgenForCausalLM.model</c>).</summary>
    public readonly MusicGenDecoderModel model;
    /// <summary>One output head per codebook, hidden → vocab logits (no bias).</summary>
    public readonly ModuleList<DecoderLinear> lm_heads;

    HookContext? _context;

    /// <summary>The LM of <paramref name="config"/> with uninitialised weights, gradients off, in eval mode (load
    /// weights
    /// with <see cref="Load"/>).</summary>
    /// <exception cref="SmitinException">a stereo config with an odd number of codebooks</exception>
    public MusicGenLm(DecoderConfig config) : base("decoder")
    {
        Config = config;
        if (config.AudioChannels == 2 && config.NumCodebooks % 2 != 0)
            throw new SmitinException($"config.json: decoder.num_codebooks {config.NumCodebooks} must be even for audio_channels 2 (left/right interleaved)");
        model = new MusicGenDecoderModel(config);
        lm_heads = new ModuleList<DecoderLinear>(Enumerable.Range(0, config.NumCodebooks)
            .Select(_ => new DecoderLinear(config.HiddenSize, config.VocabSize)).ToArray());
        RegisterComponents();
        foreach (var p in parameters()) p.requires_grad = false;
        ModuleWeights.DetachFromDisposeScopes(this); // a decoder built inside a dispose scope keeps its weights
        eval();
        DecodeKernels = new DecodeKernelSelector(new StepMatrices(this), DecodeKernelCache.Default);
        foreach (var linear in modules().OfType<DecoderLinear>()) linear.Selector = DecodeKernels;
    }

    /// <summary>
    /// Chooses how the few-row products of a decode step are computed on this CPU (measured on first use, cached per
    /// CPU model, overridable; see <see cref="DecodeKernelSelector"/>). <see cref="MusicGen.Load"/> resolves the 2-row
    /// choice (batch 1 with guidance) at load and logs it.
    /// </summary>
    public DecodeKernelSelector DecodeKernels { get; private set; }

    /// <summary>
    /// Converts every <see cref="DecoderLinear"/> weight (attention projections, FFN, LM heads) to
    /// <paramref name="type"/> (e.g. bfloat16: half the bytes a decode step reads); embeddings, LayerNorms and the
    /// sinusoidal table stay float32. The kernel choices are made again for the new type (the cache key holds it).
    /// </summary>
    /// <returns>bytes of the converted matrices</returns>
    public long UseWeightType(ScalarType type)
    {
        long bytes = 0;
        foreach (var linear in modules().OfType<DecoderLinear>())
        {
            linear.to(type);
            linear.weight.requires_grad = false;
            bytes += linear.weight.numel() * linear.weight.ElementSize;
        }
        DecodeKernels.ForgetChoices();
        return bytes;
    }

    /// <summary>Replaces <see cref="DecodeKernels"/> (tests: fake timings, a temporary cache file).</summary>
    public void UseDecodeKernelSelector(DecodeKernelSelector selector)
    {
        DecodeKernels = selector;
        foreach (var linear in modules().OfType<DecoderLinear>()) linear.Selector = selector;
    }

    /// <summary>
    /// The weight matrices a decode step reads, (out, in) each, in reading order: per layer self q/k/v/out, cross
    /// q/out (cross k/v are computed once from the memory), fc1, fc2; then the LM heads. Read live, so a
    /// conversion of the weights (dtype, device) is seen.
    /// </summary>
    public IReadOnlyList<Tensor> StepWeights() => new StepMatrices(this);

    sealed class StepMatrices(MusicGenLm lm) : IReadOnlyList<Tensor>
    {
        List<Tensor> Items
        {
            get
            {
                var list = new List<Tensor>();
                foreach (var layer in lm.Layers)
                {
                    list.AddRange([layer.self_attn.q_proj.weight, layer.self_attn.k_proj.weight, layer.self_attn.v_proj.weight, layer.self_attn.out_proj.weight]);
                    if (layer.encoder_attn is { } cross) list.AddRange([cross.q_proj.weight, cross.out_proj.weight]);
                    list.AddRange([layer.fc1.weight, layer.fc2.weight]);
                }
                list.AddRange(lm.lm_heads.Select(h => (Tensor)h.weight));
                return list;
            }
        }
        public Tensor this[int index] => Items[index];
        public int Count => Items.Count;
        public IEnumerator<Tensor> GetEnumerator() => Items.GetEnumerator();
        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>
    /// Builds the decoder of <paramref name="config"/> and loads its weights (keys <c>decoder.*</c>) from a checkpoint;
    /// errors name the tensor. <see cref="MusicGen.Load"/> does this for whole models; this entry serves tools
    /// that need only the LM.
    /// </summary>
    public static MusicGenLm Load(IO.Checkpoint checkpoint, DecoderConfig config)
    {
        var lm = new MusicGenLm(config);
        try { IO.WeightLoader.Load(lm, checkpoint, "decoder."); }
        catch { lm.Dispose(); throw; }
        return lm;
    }

    /// <summary>The decoder section of <c>config.json</c>.</summary>
    public DecoderConfig Config { get; }
    /// <summary>The decoder stack (embeddings, layers, final LayerNorm).</summary>
    public MusicGenDecoder Stack => model.decoder;
    /// <summary>The decoder layers, in order.</summary>
    public IList<MusicGenDecoderLayer> Layers => model.decoder.layers;
    /// <summary>Device of the weights.</summary>
    public Device Device => lm_heads[0].weight.device;

    /// <summary>The context of the forward pass under way (for hooks), or null between passes.</summary>
    public HookContext? CurrentContext => _context;

    /// <summary>A key/value cache for incremental decoding; <paramref name="capacity"/> = expected total length (it grows if exceeded).</summary>
    public DecoderCache CreateCache(int capacity) => new(Config.NumHiddenLayers, capacity);

    /// <summary>
    /// Runs the decoder.
    /// </summary>
    /// <param name="codes">(B, K, T) token ids in [0, vocab]; vocab is the start/pad token</param>
    /// <param name="memory">(B, S, D) projected text states (already multiplied by their mask), or null: with a cache that
    /// holds a memory it is reused; without one cross-attention is skipped (identical to an all-zero memory)</param>
    /// <param name="memoryMask">(B, S), 1 = attend, 0 = masked; null attends to every memory position</param>
    /// <param name="cache">incremental decoding state; positions continue from <see cref="DecoderCache.Length"/></param>
    /// <param name="lastPositionOnly">compute logits for the last position only</param>
    /// <param name="hiddenStates">receives the reference's hidden_states (L + 1 tensors of (B, T, D))</param>
    /// <param name="generation">generation step info handed to hooks</param>
    /// <param name="prefix">melody decoder only: (B, P, D) conditioning prefix (chroma rows, then text rows) prepended to
    /// the code embeddings; positions start at 0 on its first row. With a cache it is given once, at the first forward.</param>
    /// <returns>logits (B, K, P + T, V), the prefix positions included as the reference returns them (1 position with
    /// <paramref name="lastPositionOnly"/>)</returns>
    /// <exception cref="SmitinException">a tensor has the wrong shape/dtype/range, or the conditioning does not fit the
    /// architecture (a memory for the melody decoder, a prefix for the cross-attention decoder)</exception>
    public Tensor Forward(Tensor codes, Tensor? memory = null, Tensor? memoryMask = null, DecoderCache? cache = null,
        bool lastPositionOnly = false, ICollection<Tensor>? hiddenStates = null, GenerationContext? generation = null,
        Tensor? prefix = null)
    {
        Validate(codes, memory, memoryMask);
        ValidatePrefix(codes, memory, prefix);
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        var device = Device;
        codes = codes.to(ScalarType.Int64, device);
        memory = memory?.to(ScalarType.Float32, device);
        prefix = prefix?.to(ScalarType.Float32, device);
        var additiveMask = memory is not null && memoryMask is not null ? AdditiveMask(memoryMask.to(device)) : null; // (B, 1, 1, S)

        var previous = _context;
        _context = new HookContext(cache?.Length ?? 0, (int)codes.shape[2] + (int)(prefix?.shape[1] ?? 0), generation);
        try
        {
            var states = hiddenStates is null ? null : new List<Tensor>();
            var h = Stack.Forward(codes, memory, additiveMask, cache, states, prefix); // (B, P + T, D)
            if (lastPositionOnly) h = h.narrow(1, h.shape[1] - 1, 1);
            var logits = torch.stack(lm_heads.Select(head => head.call(h)), 1); // (B, K, T, V)
            if (states is not null)
                foreach (var s in states) hiddenStates!.Add(s.MoveToOuterDisposeScope());
            return logits.MoveToOuterDisposeScope();
        }
        finally
        {
            _context = previous;
        }
    }

    /// <summary>(B, S) 0/1 mask → additive (B, 1, 1, S): 0 where attended, float.MinValue where masked (as the reference).</summary>
    static Tensor AdditiveMask(Tensor mask)
    {
        var masked = mask.to(ScalarType.Float32).eq(Scalars.Zero);
        return torch.zeros(masked.shape, ScalarType.Float32, mask.device).masked_fill(masked, Scalars.FloatMin).unsqueeze(1).unsqueeze(1);
    }

    void ValidatePrefix(Tensor codes, Tensor? memory, Tensor? prefix)
    {
        if (Config.HasCrossAttention)
        {
            if (prefix is not null)
                throw new SmitinException("decoder prefix: this MusicGen decoder conditions through cross-attention (decoder.model_type musicgen_decoder); give a text memory, not a prefix");
            return;
        }
        if (memory is not null)
            throw new SmitinException("decoder memory: the MusicGen Melody decoder has no cross-attention (decoder.model_type musicgen_melody_decoder); give the conditioning as a prefix");
        if (prefix is not null && (prefix.dim() != 3 || prefix.shape[0] != codes.shape[0] || prefix.shape[2] != Config.HiddenSize))
            throw new SmitinException($"decoder prefix: got shape [{string.Join(", ", prefix.shape)}], expected ({codes.shape[0]}, P, {Config.HiddenSize})");
    }

    void Validate(Tensor codes, Tensor? memory, Tensor? memoryMask)
    {
        if (codes.dim() != 3 || codes.shape[1] != Config.NumCodebooks)
            throw new SmitinException($"decoder codes: got shape [{string.Join(", ", codes.shape)}], expected (B, {Config.NumCodebooks}, T)");
        if (codes.dtype is not (ScalarType.Int64 or ScalarType.Int32))
            throw new SmitinException($"decoder codes: got dtype {codes.dtype}, expected int64 token ids");
        if (codes.numel() > 0)
        {
            long min = codes.min().item<long>(), max = codes.max().item<long>();
            if (min < 0 || max > Config.VocabSize)
                throw new SmitinException($"decoder codes: ids must be in [0, {Config.VocabSize}] ({Config.VocabSize} = start token), got [{min}, {max}]");
        }
        if (memory is null) return;
        if (memory.dim() != 3 || memory.shape[0] != codes.shape[0] || memory.shape[2] != Config.HiddenSize)
            throw new SmitinException($"decoder memory: got shape [{string.Join(", ", memory.shape)}], expected ({codes.shape[0]}, S, {Config.HiddenSize})");
        if (memoryMask is not null && (memoryMask.dim() != 2 || memoryMask.shape[0] != memory.shape[0] || memoryMask.shape[1] != memory.shape[1]))
            throw new SmitinException($"decoder memory mask: got shape [{string.Join(", ", memoryMask.shape)}], expected ({memory.shape[0]}, {memory.shape[1]})");
    }

    /// <summary>The per-head self-attention hook point of a layer (input of <c>out_proj</c>, (B, T, H, Dh)).</summary>
    public HookPoint HeadHookPoint(int layer) => Layers[layer].self_attn.hook_z;

    /// <summary>The per-head cross-attention hook point of a layer.</summary>
    public HookPoint CrossHeadHookPoint(int layer) => Layers[layer].encoder_attn?.hook_z ??
        throw new SmitinException("the MusicGen Melody decoder has no cross-attention layers (its conditioning is a self-attention prefix)");

    /// <summary>
    /// Registers <paramref name="hook"/> on every self-attention layer's <c>hook_z</c>; dispose the handle to remove it.
    /// Hooks run in registration order; a later hook sees an earlier one's replacement.
    /// </summary>
    public HookHandle AddHeadHook(HeadHook hook) => Register(HeadHookPoint, hook);

    /// <summary>Same as <see cref="AddHeadHook(HeadHook)"/> without the context.</summary>
    public HookHandle AddHeadHook(Func<int, Tensor, Tensor?> hook) => Register(HeadHookPoint, (l, z, _) => hook(l, z));

    /// <summary>Registers <paramref name="hook"/> on every cross-attention layer's <c>hook_z</c>.</summary>
    public HookHandle AddCrossHeadHook(HeadHook hook) => Register(CrossHeadHookPoint, hook);

    HookHandle Register(Func<int, HookPoint> point, HeadHook hook)
    {
        var removers = new List<Action>();
        for (int l = 0; l < Layers.Count; l++)
        {
            int layer = l;
            // TorchSharp keeps the output when a forward hook returns null
            var remover = point(l).register_forward_hook((_, _, z) =>
                hook(layer, z, _context ?? new HookContext(0, (int)z.shape[1], null))!);
            removers.Add(remover.remove);
        }
        return new HookHandle(removers);
    }
}
