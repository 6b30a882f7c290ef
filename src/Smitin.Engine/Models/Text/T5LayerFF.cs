using Smitin.Native;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Smitin.Models.Text;

/// <summary>
/// T5's feed-forward sub-layer (<c>layer.1</c>): h + DenseReluDense(layer_norm(h)). DenseReluDense is
/// wo(act(wi(x))) (t5 / t5-base, used by MusicGen), or wo(act(wi_0(x)) * wi_1(x)) for gated variants (flan-t5,
/// <c>feed_forward_proj = "gated-gelu"</c>). No biases.
/// </summary>
public sealed class T5LayerFF : nn.Module<Tensor, Tensor>
{
    readonly T5DenseActDense DenseReluDense;
    readonly T5LayerNorm layer_norm;

    /// <summary>The feed-forward sub-layer of <paramref name="config"/>.</summary>
    public T5LayerFF(T5Config config) : base(nameof(T5LayerFF))
    {
        DenseReluDense = new T5DenseActDense(config);
        layer_norm = new T5LayerNorm(config.DModel, config.LayerNormEpsilon);
        RegisterComponents();
    }

    /// <summary>h + DenseReluDense(layer_norm(h)).</summary>
    /// <param name="hidden">(B, S, D)</param>
    /// <returns>(B, S, D)</returns>
    public override Tensor forward(Tensor hidden) // (B, S, D)
    {
        using var scope = torch.NewDisposeScope();
        var normed = layer_norm.call(hidden);
        return hidden.add(DenseReluDense.call(normed), Scalars.One).MoveToOuterDisposeScope();
    }
}
