using Smitin.Native;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Smitin.Models.Decoder;

/// <summary>
/// Multi-head attention of a MusicGen decoder layer (<c>self_attn</c> or <c>encoder_attn</c>), as the reference's
/// eager path: q/k/v/out projections without bias, QK^T scaled by head_dim^-0.5, an additive float mask
/// (<c>float.MinValue</c>, never -inf, so a fully masked row gives a uniform softmax instead of NaN), softmax in float32.
///
/// <c>hook_z</c> carries the per-head output at the input of <c>out_proj</c>, shaped (B, T, H, Dh): the probe and
/// steering site (TransformerLens <c>blocks.{l}.attn.hook_z</c>).
/// </summary>
public sealed class MusicGenAttention : nn.Module
{
    /// <summary>Query, key, value and output projections (hidden → hidden, no bias); checkpoint keys <c>q_proj</c>,
    /// ....</summary>
    public readonly DecoderLinear q_proj, k_proj, v_proj, out_proj;
    /// <summary>The probe and steering site: the per-head output (B, T, H, D) at the input of <c>out_proj</c>
    /// (docs/method.md §2).</summary>
    public readonly HookPoint hook_z;

    readonly int _heads, _headDim;

    /// <summary>An attention block of <paramref name="heads"/> heads over <paramref name="hidden"/> features.</summary>
    /// <param name="name">module name (<c>self_attn</c> or <c>encoder_attn</c>)</param>
    /// <param name="hidden">model width D_model</param><param name="heads">heads H; the head size is D_model /
    /// H</param>
    /// <exception cref="SmitinException"><paramref name="hidden"/> is not divisible by
    /// <paramref name="heads"/></exception>
    public MusicGenAttention(string name, int hidden, int heads) : base(name)
    {
        if (hidden % heads != 0) throw new SmitinException($"hidden size {hidden} is not divisible by {heads} heads");
        _heads = heads;
        _headDim = hidden / heads;
        q_proj = new DecoderLinear(hidden, hidden);
        k_proj = new DecoderLinear(hidden, hidden);
        v_proj = new DecoderLinear(hidden, hidden);
        out_proj = new DecoderLinear(hidden, hidden);
        hook_z = new HookPoint("hook_z");
        RegisterComponents();
    }

    /// <summary>Heads H.</summary>
    public int Heads => _heads;
    /// <summary>Head size D (floats per head output).</summary>
    public int HeadDim => _headDim;

    /// <summary>
    /// Causal self-attention over <paramref name="x"/> (B, T, D). With a cache, the new keys/values are appended and
    /// the queries (absolute positions past..past+T-1) attend to the whole history.
    /// </summary>
    internal Tensor SelfAttention(Tensor x, SelfAttentionCache? cache)
    {
        long b = x.shape[0], t = x.shape[1];
        var q = SplitHeads(q_proj.call(x), b, t);             // (B, H, T, Dh), scaled in Attend
        var k = SplitHeads(k_proj.call(x), b, t);             // (B, H, T, Dh)
        var v = SplitHeads(v_proj.call(x), b, t);
        int past = cache?.Length ?? 0;
        if (cache is not null) (k, v) = cache.Append(k, v);   // (B, H, past + T, Dh)
        Tensor? mask = t > 1 ? CausalMask(t, past, x.device) : null; // (T, past + T); a single query sees everything
        return Attend(q, k, v, mask, b, t);
    }

    /// <summary>
    /// Cross-attention from <paramref name="x"/> (B, T, D) to the text memory (B, S, D) with its additive mask
    /// (B, 1, 1, S). With a cache the keys/values are computed on the first call and reused afterwards
    /// (<paramref name="memory"/> may then be null).
    /// </summary>
    internal Tensor CrossAttention(Tensor x, Tensor? memory, Tensor? additiveMask, CrossAttentionCache? cache)
    {
        long b = x.shape[0], t = x.shape[1];
        var q = SplitHeads(q_proj.call(x), b, t);             // (B, H, T, Dh), scaled in Attend
        Tensor k, v;
        if (memory is not null)
        {
            long s = memory.shape[1];
            k = SplitHeads(k_proj.call(memory), b, s);        // (B, H, S, Dh)
            v = SplitHeads(v_proj.call(memory), b, s);
            cache?.Set(k, v, additiveMask);
        }
        else if (cache is { IsSet: true })
        {
            (k, v, additiveMask) = (cache.K!, cache.V!, cache.Mask);
        }
        else throw new InvalidOperationException("cross-attention needs a memory or a cache that holds one");
        return Attend(q, k, v, additiveMask, b, t);
    }

    Tensor SplitHeads(Tensor x, long b, long t) => x.reshape(b, t, _heads, _headDim).transpose(1, 2); // (B, H, T, Dh)

    /// <summary>
    /// softmax(q·kᵀ · head_dim^-0.5 + mask) · v through libtorch's fused <c>scaled_dot_product_attention</c> (one op
    /// instead of five: a decode step's attention over the KV cache is dispatch-bound, see the <c>decode</c> bench's
    /// per-part timing). Its default scale is head_dim^-0.5, the reference's <c>scaling</c>; softmax in float32.
    /// </summary>
    Tensor Attend(Tensor q, Tensor k, Tensor v, Tensor? mask, long b, long t)
    {
        var z = nn.functional.scaled_dot_product_attention(q, k, v, mask).transpose(1, 2); // (B, T, H, Dh), a view: nothing copied for the hook
        var hooked = hook_z.call(z);
        if (!ReferenceEquals(hooked, z) && !hooked.shape.SequenceEqual(z.shape))
            throw new SmitinException($"{GetName()}.hook_z: a hook returned shape [{string.Join(", ", hooked.shape)}], expected [{string.Join(", ", z.shape)}] (B, T, H, Dh)");
        return out_proj.call(hooked.reshape(b, t, _heads * _headDim)); // (B, T, D)
    }

    static Tensor CausalMask(long t, int past, Device device)
    {
        // query i sits at absolute position past + i and may see keys 0..past + i
        var mask = torch.full(t, past + t, Scalars.FloatMin, ScalarType.Float32, device); // (T, past + T)
        return mask.triu(past + 1);
    }
}
