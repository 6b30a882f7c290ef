using Smitin.Native;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Smitin.Models.Decoder;

/// <summary>
/// MusicGen's sinusoidal position table, <c>weights</c> (max_positions, D), saved in checkpoints as
/// <c>decoder.model.decoder.embed_positions.weights</c>. Built at construction with the reference formula
/// (<c>cat([cos, sin])</c>, cos first; inverse frequency <c>exp(-i ln(10000) / (D/2 - 1))</c>; a zero column
/// when D is odd) so a randomly initialised decoder works, and overwritten by the checkpoint's copy at load.
/// </summary>
public sealed class SinusoidalPositions : nn.Module
{
    /// <summary>(max_positions, D) position table, checkpoint key <c>weights</c>.</summary>
    public readonly Parameter weights; // (max_positions, D)

    /// <summary>A table for <paramref name="maxPositions"/> positions of width <paramref name="dim"/>, filled with the
    /// reference's sinusoids (the checkpoint's copy replaces it at load).</summary>
    public SinusoidalPositions(int maxPositions, int dim) : base("embed_positions")
    {
        weights = new Parameter(Table(maxPositions, dim), requires_grad: false);
        RegisterComponents();
    }

    /// <summary>Positions the table holds (<c>decoder.max_position_embeddings</c>).</summary>
    public int MaxPositions => (int)weights.shape[0];

    /// <summary>Rows <c>[past, past + length)</c> as (1, length, D).</summary>
    public Tensor Slice(int past, int length)
    {
        if (past + length > MaxPositions)
            throw new SmitinException(
                $"decoder position {past + length - 1} is beyond decoder.max_position_embeddings {MaxPositions}: " +
                "generate fewer tokens or use a shorter audio prompt (prompt frames + new tokens must fit: step N feeds position prompt frames + N - 1)");
        return weights.narrow(0, past, length).unsqueeze(0);
    }

    /// <summary>The reference table (computed in float32, like the reference).</summary>
    public static Tensor Table(int maxPositions, int dim)
    {
        using var scope = torch.NewDisposeScope();
        int half = dim / 2;
        double step = Math.Log(10000) / Math.Max(1, half - 1);
        using var halfScalar = half.ToScalar();
        using var positions = maxPositions.ToScalar();
        using var minusStep = ((float)-step).ToScalar();
        var invFreq = torch.exp(torch.arange(Scalars.Zero, halfScalar, Scalars.One, ScalarType.Float32).mul(minusStep)); // (half)
        var angles = torch.arange(Scalars.Zero, positions, Scalars.One, ScalarType.Float32).unsqueeze(1) * invFreq.unsqueeze(0); // (P, half)
        var table = torch.cat([torch.cos(angles), torch.sin(angles)], 1);                                 // (P, 2*half)
        if (dim % 2 == 1) table = torch.cat([table, torch.zeros(maxPositions, 1)], 1);
        return table.contiguous().MoveToOuterDisposeScope();
    }
}
