using Smitin.Native;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Smitin.Models.Text;

/// <summary>wi → activation → wo (or the gated form); field names match the checkpoint keys.</summary>
public sealed class T5DenseActDense : nn.Module<Tensor, Tensor>
{
    readonly Linear? wi, wi_0, wi_1;
    readonly Linear wo;
    readonly Func<Tensor, Tensor> _act;

    /// <summary>wi → activation → wo, or the gated form for <c>gated-*</c> <c>feed_forward_proj</c>.</summary>
    /// <exception cref="SmitinException">the activation is not supported (the message names it)</exception>
    public T5DenseActDense(T5Config config) : base(nameof(T5DenseActDense))
    {
        if (config.IsGatedAct)
        {
            wi_0 = nn.Linear(config.DModel, config.DFf, hasBias: false);
            wi_1 = nn.Linear(config.DModel, config.DFf, hasBias: false);
        }
        else
        {
            wi = nn.Linear(config.DModel, config.DFf, hasBias: false);
        }
        wo = nn.Linear(config.DFf, config.DModel, hasBias: false);
        _act = Activation(config.DenseActFn);
        RegisterComponents();
    }

    /// <summary>The feed-forward map.</summary>
    /// <param name="x">(B, S, D)</param>
    /// <returns>(B, S, D)</returns>
    public override Tensor forward(Tensor x) // (B, S, D) -> (B, S, D)
    {
        using var scope = torch.NewDisposeScope();
        var h = wi is not null ? _act(wi.call(x)) : _act(wi_0!.call(x)) * wi_1!.call(x); // (B, S, d_ff)
        return wo.call(h).MoveToOuterDisposeScope();
    }

    // gelu_new's constants, held (Scalars): a temporary scalar may be freed during the native call
    static readonly Scalar GeluHalf = 0.5.ToScalar();
    static readonly Scalar GeluCubic = 0.044715.ToScalar();
    static readonly Scalar GeluSqrt2OverPi = Math.Sqrt(2.0 / Math.PI).ToScalar();
    static readonly Scalar GeluCube = 3.ToScalar();

    /// <summary>The reference's ACT2FN entries that T5 configurations use.</summary>
    internal static Func<Tensor, Tensor> Activation(string name) => name switch
    {
        "relu" => x => nn.functional.relu(x),
        "gelu" => x => nn.functional.gelu(x),
        // tanh approximation: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
        "gelu_new" or "gelu_pytorch_tanh" or "gelu_fast" => x => x.mul(GeluHalf)
            .mul(torch.tanh(x.add(x.pow(GeluCube).mul(GeluCubic), Scalars.One).mul(GeluSqrt2OverPi)).add(Scalars.DoubleOne, Scalars.One)),
        "silu" or "swish" => x => nn.functional.silu(x),
        _ => throw new SmitinException($"config.json: text_encoder.dense_act_fn '{name}' is not supported (expected relu, gelu, gelu_new, gelu_pytorch_tanh or silu)"),
    };
}
