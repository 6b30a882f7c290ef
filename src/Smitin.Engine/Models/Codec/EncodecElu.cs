using Smitin.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace Smitin.Models.Codec;

/// <summary>
/// The SEANet stacks' activation (HF <c>EncodecEncoder</c> / <c>EncodecDecoder</c> / <c>EncodecResnetBlock</c>:
/// <c>nn.ELU()</c>, alpha 1). TorchSharp's <c>nn.ELU</c> passes alpha, scale and input scale as temporary scalars that
/// the garbage collector may free during the native call; this one passes held ones (<see cref="Scalars.Elu"/>), with
/// the same values, so the output is identical. No parameters: a stack's weight keys are unchanged.
/// </summary>
public sealed class EncodecElu : nn.Module<Tensor, Tensor>
{
    /// <summary>An ELU (alpha 1).</summary>
    public EncodecElu() : base("ELU") { }

    /// <summary>elu(x) with alpha 1.</summary>
    /// <param name="x">any shape, e.g. (B, C, T)</param>
    /// <returns>same shape</returns>
    public override Tensor forward(Tensor x) => Scalars.Elu(x);
}
