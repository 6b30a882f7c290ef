using Smitin.Native;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Smitin.Models.Decoder;

/// <summary>
/// One pre-LayerNorm decoder layer: causal self-attention, cross-attention over the text memory, FFN
/// (fc1 → activation → fc2, no biases), each added to the residual stream. LayerNorm eps 1e-5 with bias.
/// The MusicGen Melody decoder layer (<c>MusicgenMelodyDecoderLayer</c>) is the same without cross-attention
/// (<see cref="DecoderConfig.HasCrossAttention"/> false): <see cref="encoder_attn"/> and its LayerNorm are then null.
/// </summary>
public sealed class MusicGenDecoderLayer : nn.Module
{
    /// <summary>Causal self-attention; its <c>hook_z</c> is the probe site.</summary>
    public readonly MusicGenAttention self_attn;
    /// <summary>Cross-attention over the text memory; null for MusicGen Melody.</summary>
    public readonly MusicGenAttention? encoder_attn;
    /// <summary>LayerNorms before self-attention and before the feed-forward block.</summary>
    public readonly LayerNorm self_attn_layer_norm, final_layer_norm;
    /// <summary>LayerNorm before cross-attention; null for MusicGen Melody.</summary>
    public readonly LayerNorm? encoder_attn_layer_norm;
    /// <summary>Feed-forward projections D → ffn_dim → D (no bias).</summary>
    public readonly DecoderLinear fc1, fc2;

    readonly Func<Tensor, Tensor> _activation;

    /// <summary>Layer <paramref name="name"/> of a decoder with <paramref name="config"/>'s sizes (weights
    /// uninitialised).</summary>
    /// <exception cref="SmitinException">the activation function is not supported (the message names it)</exception>
    public MusicGenDecoderLayer(string name, DecoderConfig config) : base(name)
    {
        int d = config.HiddenSize;
        self_attn = new MusicGenAttention("self_attn", d, config.NumAttentionHeads);
        self_attn_layer_norm = nn.LayerNorm(d, eps: 1e-5);
        if (config.HasCrossAttention)
        {
            encoder_attn = new MusicGenAttention("encoder_attn", d, config.NumAttentionHeads);
            encoder_attn_layer_norm = nn.LayerNorm(d, eps: 1e-5);
        }
        fc1 = new DecoderLinear(d, config.FfnDim);
        fc2 = new DecoderLinear(config.FfnDim, d);
        final_layer_norm = nn.LayerNorm(d, eps: 1e-5);
        _activation = Activation(config.ActivationFunction);
        RegisterComponents();
    }

    /// <param name="x">(B, T, D)</param>
    /// <param name="memory">text memory (B, S, D), or null to reuse the cached cross keys/values or to skip cross-attention</param>
    /// <param name="memoryMask">additive mask (B, 1, 1, S)</param>
    /// <param name="selfCache">this layer's self-attention key/value cache, or null without caching</param>
    /// <param name="crossCache">this layer's cross-attention key/value cache, or null without caching</param>
    internal Tensor Forward(Tensor x, Tensor? memory, Tensor? memoryMask, SelfAttentionCache? selfCache, CrossAttentionCache? crossCache)
    {
        var h = x.add(self_attn.SelfAttention(self_attn_layer_norm.call(x), selfCache), Scalars.One);
        if (encoder_attn is not null && (memory is not null || crossCache is { IsSet: true }))
            h = h.add(encoder_attn.CrossAttention(encoder_attn_layer_norm!.call(h), memory, memoryMask, crossCache), Scalars.One);
        // No memory at all: the reference skips cross-attention, which equals attending to an all-zero memory
        // (values are 0 without biases, so the output and its projection are exactly 0).
        return h.add(fc2.call(_activation(fc1.call(final_layer_norm.call(h)))), Scalars.One);
    }

    /// <summary>Hugging Face ACT2FN names a MusicGen config can carry.</summary>
    internal static Func<Tensor, Tensor> Activation(string name) => name switch
    {
        "gelu" => x => nn.functional.gelu(x),
        "gelu_new" or "gelu_pytorch_tanh" or "gelu_fast" => x => nn.functional.gelu(x, GELU.Approximate.tanh, false),
        "relu" => x => nn.functional.relu(x),
        "silu" or "swish" => x => nn.functional.silu(x),
        _ => throw new SmitinException($"config.json: decoder.activation_function '{name}' is not supported (expected gelu, gelu_new, gelu_pytorch_tanh, relu or silu)"),
    };
}
