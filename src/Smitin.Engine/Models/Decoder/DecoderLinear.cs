using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Smitin.Models.Decoder;

/// <summary>
/// A bias-free linear layer (<c>weight</c> (out, in), state-dict key <c>NAME.weight</c> as <c>nn.Linear</c>) whose
/// forward is tuned for decode steps. A step multiplies a handful of rows (B, or 2B with guidance) by every weight
/// matrix, so it is bound by reading the weights. libtorch's <c>linear</c> with 2..16 rows reads them about twice as
/// slowly as a matrix-vector product (measured on this machine kind: 2 rows ~2x the 1-row time), while
/// <c>W · Xᵀ</c> with X contiguous streams W once at matrix-vector speed. Few rows take that path; many rows (prefill, teacher forcing) use <c>linear</c>.
/// Results agree to float32 rounding.
/// </summary>
public sealed class DecoderLinear : nn.Module<Tensor, Tensor>
{
    /// <summary>Up to this many rows the weight-streaming path is used.</summary>
    public const long StreamingRows = 16;

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

    /// <param name="input">(..., in)</param>
    /// <returns>(..., out)</returns>
    public override Tensor forward(Tensor input)
    {
        long rows = input.numel() / InFeatures;
        if (rows > StreamingRows || rows == 0) return nn.functional.linear(input, weight);
        using var scope = torch.NewDisposeScope();
        var shape = input.shape.ToArray();
        shape[^1] = OutFeatures;
        // Both sides contiguous row-major: W (out, in) times the transposed view of X (rows, in). A row-major
        // (in, rows) right-hand side instead (e.g. a transposed result fed back in) is several times slower.
        var x = input.reshape(rows, InFeatures).contiguous();                           // (rows, in)
        var y = weight.mm(x.t());                                                       // (out, rows)
        return y.t().contiguous().view(shape).MoveToOuterDisposeScope();                // (..., out)
    }
}
