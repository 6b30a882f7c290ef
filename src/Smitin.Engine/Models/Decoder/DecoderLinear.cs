using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Smitin.Models.Decoder;

/// <summary>
/// A bias-free linear layer (<c>weight</c> (out, in), state-dict key <c>NAME.weight</c> as <c>nn.Linear</c>) whose
/// forward is tuned for decode steps. A step multiplies a handful of rows (B, or 2B with guidance) by every weight
/// matrix, so it is bound by reading the weights, and which form of the product reads them fastest depends on the CPU
/// (libtorch <c>linear</c> with 2 rows ran ~2x slower than <c>W · Xᵀ</c> on an AMD EPYC, ~1.5x faster on an Intel Xeon).
/// Up to <see cref="DecodeKernelSelector.MaxRows"/> rows the layer asks its decoder's <see cref="Selector"/>, which
/// measured the candidates on this CPU (<see cref="DecodeKernelSelector"/>); more rows (prefill, teacher forcing), or a
/// layer outside a decoder, use <c>linear</c>. Results agree to float32 rounding.
/// </summary>
public sealed class DecoderLinear : nn.Module<Tensor, Tensor>
{
    /// <summary>(out, in) weight, checkpoint key <c>weight</c>.</summary>
    public readonly Parameter weight; // (out, in)

    /// <summary>A bias-free linear map in → out, initialised as <c>nn.Linear</c> (replaced when weights are
    /// loaded).</summary>
    public DecoderLinear(long inFeatures, long outFeatures) : base("linear")
    {
        weight = new Parameter(torch.empty(outFeatures, inFeatures), requires_grad: false);
        using (torch.no_grad()) nn.init.kaiming_uniform_(weight, Math.Sqrt(5)); // nn.Linear's default init (random models, tests, benchmarks)
        RegisterComponents();
    }

    /// <summary>Input features.</summary>
    public long InFeatures => weight.shape[1];
    /// <summary>Output features.</summary>
    public long OutFeatures => weight.shape[0];

    /// <summary>Chooses the few-row kernel (set by <see cref="MusicGenLm"/> for its layers); null = always <c>linear</c>.</summary>
    public DecodeKernelSelector? Selector { get; set; }

    /// <param name="input">(..., in)</param>
    /// <returns>(..., out)</returns>
    /// <remarks>A weight stored in another type than the input (bfloat16 weights, <see cref="MusicGenLm.UseWeightType"/>):
    /// the input is rounded to the weight's type, the product runs in it (libtorch accumulates bfloat16 products in
    /// float32) and the result comes back in the input's type.</remarks>
    public override Tensor forward(Tensor input)
    {
        if (input.dtype == weight.dtype) return Product(input);
        using var scope = torch.NewDisposeScope();
        return Product(input.to(weight.dtype)).to(input.dtype).MoveToOuterDisposeScope();
    }

    Tensor Product(Tensor input)
    {
        long rows = input.numel() / InFeatures;
        if (rows == 0 || rows > DecodeKernelSelector.MaxRows || Selector is null || weight.requires_grad) return nn.functional.linear(input, weight);
        var kernel = Selector.KernelFor(rows);
        if (kernel == DecodeKernel.Linear) return nn.functional.linear(input, weight);
        using var scope = torch.NewDisposeScope();
        var shape = input.shape.ToArray();
        shape[^1] = OutFeatures;
        var y = DecodeKernels.Multiply(kernel, weight, input.reshape(rows, InFeatures)); // (rows, out)
        return y.view(shape).MoveToOuterDisposeScope();                                  // (..., out)
    }
}
