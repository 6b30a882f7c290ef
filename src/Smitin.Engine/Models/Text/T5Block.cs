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

    public T5Block(T5Config config, bool hasRelativeAttentionBias) : base(nameof(T5Block))
    {
        layer = nn.ModuleList<nn.Module>(new T5LayerSelfAttention(config, hasRelativeAttentionBias), new T5LayerFF(config));
        RegisterComponents();
    }

    public T5LayerSelfAttention SelfAttentionLayer => (T5LayerSelfAttention)layer[0];
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

    public T5LayerSelfAttention(T5Config config, bool hasRelativeAttentionBias) : base(nameof(T5LayerSelfAttention))
    {
        SelfAttention = new T5Attention(config, hasRelativeAttentionBias);
        layer_norm = new T5LayerNorm(config.DModel, config.LayerNormEpsilon);
        RegisterComponents();
    }

    public T5Attention Attention => SelfAttention;

    public override Tensor forward(Tensor hidden, Tensor positionBias)
    {
        using var scope = torch.NewDisposeScope();
        var normed = layer_norm.call(hidden);
        return (hidden + SelfAttention.call(normed, positionBias)).MoveToOuterDisposeScope();
    }
}
