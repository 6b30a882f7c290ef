using Smitin.Native;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Smitin.Models.Text;

/// <summary>
/// T5's RMSNorm: y = weight * x / sqrt(mean(x^2) + eps). No mean subtraction and no bias; the variance is
/// computed in float32 whatever the activation dtype, as the reference does.
/// </summary>
public sealed class T5LayerNorm : nn.Module<Tensor, Tensor>
{
    readonly Parameter weight; // (D)
    readonly double _eps;

    /// <summary>T5's RMS norm (no mean subtraction, no bias) over <paramref name="dim"/> features with epsilon
    /// <paramref name="eps"/>.</summary>
    public T5LayerNorm(int dim, double eps) : base(nameof(T5LayerNorm))
    {
        weight = nn.Parameter(torch.ones(dim));
        _eps = eps;
        RegisterComponents();
    }

    /// <summary>x / sqrt(mean(x²) + eps) · weight, computed in float32.</summary>
    /// <param name="x">(..., D)</param>
    /// <returns>(..., D)</returns>
    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        using var eps = _eps.ToScalar();                                                // held (Scalars)
        var variance = x.to_type(ScalarType.Float32).pow(Scalars.Two).mean([-1L], keepdim: true); // (..., 1)
        var normed = x * torch.rsqrt(variance.add(eps, Scalars.One));
        if (weight.dtype is ScalarType.Float16 or ScalarType.BFloat16) normed = normed.to_type(weight.dtype);
        return (weight * normed).MoveToOuterDisposeScope();
    }
}
