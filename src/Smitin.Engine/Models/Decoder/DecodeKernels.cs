using TorchSharp;
using static TorchSharp.torch;

namespace Smitin.Models.Decoder;

/// <summary>Names (<c>linear</c>, <c>wxt</c>, <c>mv</c>) and the products of <see cref="DecodeKernel"/>.</summary>
public static class DecodeKernels
{
    /// <summary>Every candidate, in the order ties are broken (the first wins a tie).</summary>
    public static IReadOnlyList<DecodeKernel> All { get; } = [DecodeKernel.Linear, DecodeKernel.WeightTimesInputT, DecodeKernel.RowwiseMatrixVector];

    /// <summary>The value names accepted by <c>SMITIN_DECODE_KERNEL</c> and <see cref="MusicGenLoadOptions.DecodeKernel"/>.</summary>
    public const string Accepted = "auto, linear, wxt or mv";

    /// <summary>The kernel's value name (<c>linear</c>, <c>wxt</c>, <c>mv</c>).</summary>
    public static string Name(this DecodeKernel kernel) => kernel switch
    {
        DecodeKernel.Linear => "linear",
        DecodeKernel.WeightTimesInputT => "wxt",
        DecodeKernel.RowwiseMatrixVector => "mv",
        _ => throw new ArgumentOutOfRangeException(nameof(kernel)),
    };

    /// <summary>Parses a kernel name; <c>auto</c> (or empty) gives null = choose by measurement.</summary>
    /// <param name="text">a name, <c>auto</c>, empty or null</param>
    /// <param name="source">where the text came from, for the message (e.g. <c>SMITIN_DECODE_KERNEL</c>)</param>
    /// <exception cref="SmitinException">unknown name; the message names <paramref name="source"/> and the accepted values</exception>
    public static DecodeKernel? Parse(string? text, string source)
    {
        string t = (text ?? "").Trim().ToLowerInvariant();
        return t switch
        {
            "" or "auto" => null,
            "linear" => DecodeKernel.Linear,
            "wxt" => DecodeKernel.WeightTimesInputT,
            "mv" => DecodeKernel.RowwiseMatrixVector,
            _ => throw new SmitinException($"{source}: unknown decode kernel '{text}'; expected {Accepted}"),
        };
    }

    /// <summary>X · Wᵀ with <paramref name="kernel"/>.</summary>
    /// <param name="kernel">how to multiply</param>
    /// <param name="weight">(out, in)</param>
    /// <param name="x">(rows, in), any layout</param>
    /// <returns>(rows, out), contiguous</returns>
    public static Tensor Multiply(DecodeKernel kernel, Tensor weight, Tensor x)
    {
        switch (kernel)
        {
            case DecodeKernel.Linear:
                return nn.functional.linear(x, weight);
            case DecodeKernel.WeightTimesInputT:
            {
                using var scope = torch.NewDisposeScope();
                // Both sides contiguous row-major: W (out, in) times the transposed view of X (rows, in). A row-major
                // (in, rows) right-hand side instead (e.g. a transposed result fed back in) is several times slower.
                var xc = x.contiguous();                                  // (rows, in)
                return weight.mm(xc.t()).t().contiguous().MoveToOuterDisposeScope(); // (rows, out)
            }
            case DecodeKernel.RowwiseMatrixVector:
            {
                using var scope = torch.NewDisposeScope();
                long rows = x.shape[0];
                if (rows == 1) return weight.mv(x[0]).unsqueeze(0).MoveToOuterDisposeScope();
                var outs = new Tensor[rows];
                for (long r = 0; r < rows; r++) outs[r] = weight.mv(x[r]); // (out)
                return torch.stack(outs).MoveToOuterDisposeScope();        // (rows, out)
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(kernel));
        }
    }
}
