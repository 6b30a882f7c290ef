using Smitin.Native;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Smitin.Models.Text;

/// <summary>
/// One T5 encoder block: <c>layer.0</c> = pre-norm self-attention with residual, <c>layer.1</c> = pre-norm
/// feed-forward with residual (state-dict keys <c>block.N.layer.0.SelfAttention.q.weight</c>, ...).
/// </summary>
public sealed class T5Block : nn.Module<Tensor, Tensor, Tensor>
{
    readonly ModuleList<nn.Module> layer;

    /// <summary>One encoder block (reference <c>T5Block</c>, keys <c>block.N.layer.0/1</c>).</summary>
    /// <param name="config">the text encoder's configuration</param>
    /// <param name="hasRelativeAttentionBias">true for block 0, which owns the relative position bias table</param>
    public T5Block(T5Config config, bool hasRelativeAttentionBias) : base(nameof(T5Block))
    {
        layer = nn.ModuleList<nn.Module>(new T5LayerSelfAttention(config, hasRelativeAttentionBias), new T5LayerFF(config));
        RegisterComponents();
    }

    /// <summary><c>layer.0</c>: LayerNorm, self-attention, residual.</summary>
    public T5LayerSelfAttention SelfAttentionLayer => (T5LayerSelfAttention)layer[0];
    /// <summary><c>layer.1</c>: LayerNorm, feed-forward, residual.</summary>
    public T5LayerFF FeedForwardLayer => (T5LayerFF)layer[1];

    /// <param name="hidden">(B, S, D)</param>
    /// <param name="positionBias">(1 or B, H, S, S) bias + padding mask</param>
    public override Tensor forward(Tensor hidden, Tensor positionBias)
    {
        using var scope = torch.NewDisposeScope();
        var h = SelfAttentionLayer.call(hidden, positionBias);
        // The reference clamps fp16 activations here (inf guard); float32 needs nothing.
        return FeedForwardLayer.call(h).MoveToOuterDisposeScope();
    }
}

/// <summary>h + SelfAttention(layer_norm(h)).</summary>
public sealed class T5LayerSelfAttention : nn.Module<Tensor, Tensor, Tensor>
{
    readonly T5Attention SelfAttention;
    readonly T5LayerNorm layer_norm;

    /// <summary>Self-attention sub-layer (<c>layer.0</c>): h + SelfAttention(layer_norm(h)).</summary>
    /// <param name="config">the text encoder's configuration</param>
    /// <param name="hasRelativeAttentionBias">true when this block owns the relative position bias table</param>
    public T5LayerSelfAttention(T5Config config, bool hasRelativeAttentionBias) : base(nameof(T5LayerSelfAttention))
    {
        SelfAttention = new T5Attention(config, hasRelativeAttentionBias);
        layer_norm = new T5LayerNorm(config.DModel, config.LayerNormEpsilon);
        RegisterComponents();
    }

    /// <summary>The attention module (<c>SelfAttention</c>).</summary>
    public T5Attention Attention => SelfAttention;

    /// <summary>h + SelfAttention(layer_norm(h)).</summary>
    /// <param name="hidden">(B, S, D)</param>
    /// <param name="positionBias">(1 or B, H, S, S) bias + padding mask</param>
    /// <returns>(B, S, D)</returns>
    public override Tensor forward(Tensor hidden, Tensor positionBias)
    {
        using var scope = torch.NewDisposeScope();
        var normed = layer_norm.call(hidden);
        return hidden.add(SelfAttention.call(normed, positionBias), Scalars.One).MoveToOuterDisposeScope();
    }
}
