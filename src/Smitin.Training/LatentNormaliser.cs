using Smitin.Models.Codec;
using Smitin.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace Smitin.Training;

/// <summary>
/// Per-channel standardisation of the encoder's latents during codec training, z' = (z − μ) / σ, with μ and σ running
/// averages (momentum 0.99) of the batch statistics, not trained. At export <see cref="FoldInto"/> rewrites the
/// encoder's last convolution to w/σ and (b − μ)/σ, so the exported encoder outputs z' itself and inference needs no
/// extra layer. Why: without it the encoder's latent scale drifts (spread ~1e-3 at initialisation, ~3 after a few
/// hundred steps) and the residual quantiser collapsed to a handful of codes in this project's first runs.
/// </summary>
public sealed class LatentNormaliser : IDisposable
{
    // held scalars (Smitin.Native.Scalars): a temporary scalar may be freed during the native call
    static readonly Scalar StdFloor = 1e-8.ToScalar();
    static readonly Scalar VarianceFloor = 1e-16.ToScalar();
    static readonly Scalar Decay = 0.99.ToScalar();
    static readonly Scalar Rate = 0.01.ToScalar();

    public Tensor Mean { get; }  // (D)
    public Tensor Std { get; }   // (D)
    bool _initialised;

    public LatentNormaliser(int dim)
    {
        Mean = zeros(dim).DetachFromDisposeScope();
        Std = ones(dim).DetachFromDisposeScope();
    }

    /// <summary>
    /// Standardises <paramref name="z"/> (B, D, F). While training (<paramref name="update"/>) it uses the batch's own
    /// statistics, as BatchNorm does, and updates the running ones; otherwise the running ones. Statistics carry no
    /// gradient.
    /// </summary>
    public Tensor Apply(Tensor z, bool update)
    {
        if (!update) return (z - Mean.view(1, -1, 1)) / Std.view(1, -1, 1);
        Tensor m, s;
        using (no_grad())
        {
            m = z.mean([0, 2]); s = z.std([0, 2]).clamp_min(StdFloor);
            if (!_initialised) { Mean.copy_(m); Std.copy_(s); _initialised = true; }
            else { Mean.mul_(Decay).add_(m, alpha: Rate); Std.mul_(Decay).add_(s, alpha: Rate); }
        }
        return (z - m.view(1, -1, 1)) / s.view(1, -1, 1);
    }

    /// <summary>
    /// Recomputes the statistics exactly for the encoder's final weights over <paramref name="batches"/> (each
    /// (B, 1, T) audio), as BatchNorm recalibration: the running averages lag behind the raw latents' mean, which drifts
    /// freely during training (the standardisation hides it from the loss) by far more than their spread. Without this
    /// the first full run's exported encoder sent every frame to one code.
    /// </summary>
    public void Recalibrate(EncodecEncoder encoder, IEnumerable<Tensor> batches)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        Tensor? sum = null, sumSq = null;
        long count = 0;
        foreach (var x in batches)
        {
            var z = encoder.call(x).to(ScalarType.Float64);                           // (B, D, F)
            var s1 = z.sum([0, 2]); var s2 = z.pow(Scalars.Two).sum([0, 2]);
            sum = sum is null ? s1 : sum.add(s1, Scalars.One); sumSq = sumSq is null ? s2 : sumSq.add(s2, Scalars.One);
            count += z.shape[0] * z.shape[2];
        }
        if (sum is null) throw new InvalidOperationException("no batches to recalibrate on");
        using var n = count.ToScalar();                                               // held (Scalars)
        var mean = sum.div(n);
        var std = (sumSq!.div(n) - mean.pow(Scalars.Two)).clamp_min(VarianceFloor).sqrt();
        Mean.copy_(mean.to(ScalarType.Float32)); Std.copy_(std.to(ScalarType.Float32));
    }

    /// <summary>Marks the running statistics as valid (after they were restored from a checkpoint).</summary>
    public void MarkInitialised() => _initialised = true;

    /// <summary>Folds the standardisation into the encoder's last convolution (weight (D, C, k), bias (D)).</summary>
    public void FoldInto(EncodecEncoder encoder)
    {
        using var _ = no_grad();
        var last = encoder.named_parameters().Where(p => p.name.EndsWith(".conv.weight", StringComparison.Ordinal)).Last();
        var bias = encoder.named_parameters().First(p => p.name == last.name[..^"weight".Length] + "bias").parameter;
        last.parameter.div_(Std.view(-1, 1, 1));
        bias.sub_(Mean).div_(Std);
    }

    public void Dispose() { Mean.Dispose(); Std.Dispose(); }
}
