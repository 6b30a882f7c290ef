using Smitin.Models.Codec;
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
            m = z.mean([0, 2]); s = z.std([0, 2]).clamp_min(1e-8);
            if (!_initialised) { Mean.copy_(m); Std.copy_(s); _initialised = true; }
            else { Mean.mul_(0.99).add_(m, alpha: 0.01); Std.mul_(0.99).add_(s, alpha: 0.01); }
        }
        return (z - m.view(1, -1, 1)) / s.view(1, -1, 1);
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
