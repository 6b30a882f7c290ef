namespace Smitin.Models.Decoder;

/// <summary>
/// How a <see cref="DecoderLinear"/> multiplies a few rows (a decode step: B rows, 2B with guidance) by its weight.
/// Every kernel computes <c>X · Wᵀ</c>; they differ only in how libtorch streams W, which is what a decode step's
/// time is made of, and which one is fastest depends on the CPU (see <see cref="DecodeKernelSelector"/>).
/// Results agree to float32 rounding.
/// </summary>
public enum DecodeKernel
{
    /// <summary><c>linear</c>: libtorch's <c>nn.functional.linear(X, W)</c> (the reference's form).</summary>
    Linear,
    /// <summary><c>wxt</c>: <c>W · Xᵀ</c> with X contiguous, the result transposed back: W streamed row by row.</summary>
    WeightTimesInputT,
    /// <summary><c>mv</c>: one matrix-vector product <c>W · x</c> per row (W read once per row).</summary>
    RowwiseMatrixVector,
}
