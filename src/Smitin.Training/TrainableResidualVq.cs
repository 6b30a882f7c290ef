using Smitin.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace Smitin.Training;

/// <summary>
/// Residual vector quantiser for training (audiocraft <c>ResidualVectorQuantization</c> with EMA codebooks): each of
/// the K levels quantises the residual the previous levels left, nearest codeword by squared L2 (the same rule as
/// the engine's <c>EncodecCodebook.Quantize</c>). Codebooks are not trained by gradients but by exponential moving
/// averages of the vectors assigned to them (decay <c>EmaDecay</c>); a code whose EMA usage drops below the
/// dead-code threshold is restarted from a random vector of the batch. <see cref="InitKMeans"/> seeds every level by
/// k-means on encoder outputs (without it the codebooks collapsed in the prototype, ../shared/docs/prototype-notes.md §2).
/// Buffers are named like the checkpoint's: <c>embed</c>, <c>embed_avg</c>, <c>cluster_size</c> per level.
/// </summary>
public sealed class TrainableResidualVq : IDisposable
{
    // held scalars (Smitin.Native.Scalars): a temporary scalar may be freed during the native call
    static readonly Scalar InitScale = 0.01.ToScalar();
    static readonly Scalar Smoothing = 1e-5.ToScalar();

    public int Levels { get; }
    public int Size { get; }
    public int Dim { get; }
    readonly double _decay, _deadThreshold;
    public Tensor[] Embed { get; }       // K × (size, dim)
    public Tensor[] EmbedAvg { get; }    // K × (size, dim)
    public Tensor[] ClusterSize { get; } // K × (size)

    public TrainableResidualVq(int levels, int size, int dim, double decay, double deadThreshold)
    {
        Levels = levels; Size = size; Dim = dim; _decay = decay; _deadThreshold = deadThreshold;
        Embed = new Tensor[levels]; EmbedAvg = new Tensor[levels]; ClusterSize = new Tensor[levels];
        for (int k = 0; k < levels; k++)
        {
            Embed[k] = randn(size, dim).mul_(InitScale).DetachFromDisposeScope();
            EmbedAvg[k] = Embed[k].clone().DetachFromDisposeScope();
            ClusterSize[k] = ones(size).DetachFromDisposeScope();
        }
    }

    static Tensor Nearest(Tensor rows, Tensor embed) // (N, dim), (size, dim) -> (N)
    {
        var e = embed.t();
        var xx = rows.pow(Scalars.Two).sum(1, keepdim: true);                 // (N, 1)
        var xe = rows.matmul(e).mul(Scalars.Two);                             // (N, size), 2·x·e
        var ee = e.pow(Scalars.Two).sum(0, keepdim: true);                    // (1, size)
        var dist = (xx - xe).add(ee, Scalars.One).neg();                      // -(|x|² - 2·x·e + |e|²)
        return dist.argmax(-1);
    }

    /// <summary>
    /// Quantises latents (B, dim, F). Returns the straight-through quantised latents (gradients flow to
    /// <paramref name="latents"/> as if the quantiser were the identity), the codes (B, K, F) and the commitment loss
    /// mean‖z_k − q_k‖² summed over levels (gradients to the encoder only). With <paramref name="update"/> the EMA
    /// codebooks are updated and dead codes restarted.
    /// </summary>
    public (Tensor Quantized, Tensor Codes, Tensor Commitment) Forward(Tensor latents, bool update, Random rng)
    {
        long b = latents.shape[0], f = latents.shape[2];
        var rows = latents.permute(0, 2, 1).reshape(-1, Dim);                // (N, dim)
        var residual = rows;
        Tensor quantized = zeros_like(rows);
        Tensor commitment = zeros(1);
        var codes = new List<Tensor>();
        for (int k = 0; k < Levels; k++)
        {
            Tensor idx, q;
            using (no_grad())
            {
                idx = Nearest(residual.detach(), Embed[k]);                     // (N)
                q = Embed[k].index_select(0, idx);                              // (N, dim)
            }
            commitment = commitment.add((residual - q).pow(Scalars.Two).mean(), Scalars.One);
            if (update) using (no_grad()) UpdateEma(k, residual.detach(), idx, rng);
            quantized = quantized.add(q, Scalars.One);
            residual = residual - q;
            codes.Add(idx.view(b, f));
        }
        var st = rows.add((quantized - rows).detach(), Scalars.One);          // straight-through
        return (st.view(b, f, Dim).permute(0, 2, 1), stack(codes, 1), commitment.squeeze());
    }

    void UpdateEma(int k, Tensor x, Tensor idx, Random rng)
    {
        var onehot = nn.functional.one_hot(idx, Size).to(ScalarType.Float32);  // (N, size)
        var counts = onehot.sum(dim: 0);                                             // (size)
        var sums = onehot.t().matmul(x);                                        // (size, dim)
        using var decay = _decay.ToScalar();                                   // held (Scalars)
        using var rate = (1 - _decay).ToScalar();
        using var sizeSmoothing = (Size * 1e-5).ToScalar();
        using var deadThreshold = _deadThreshold.ToScalar();
        ClusterSize[k].mul_(decay).add_(counts, alpha: rate);
        EmbedAvg[k].mul_(decay).add_(sums, alpha: rate);
        var n = ClusterSize[k].sum();
        var smoothed = ClusterSize[k].add(Smoothing, Scalars.One) / n.add(sizeSmoothing, Scalars.One) * n; // Laplace smoothing (audiocraft)
        Embed[k].copy_(EmbedAvg[k] / smoothed.unsqueeze(1));
        // Dead-code restart: codes used less than the threshold take a random batch vector.
        var dead = ClusterSize[k].lt(deadThreshold).nonzero().flatten();
        long nDead = dead.shape[0];
        if (nDead == 0) return;
        var pick = tensor(Enumerable.Range(0, (int)nDead).Select(_ => (long)rng.Next((int)x.shape[0])).ToArray());
        var fresh = x.index_select(0, pick);
        Embed[k].index_copy_(0, dead, fresh);
        // a restarted code starts at the average usage, so it is judged again after as many steps as any other
        double average = x.shape[0] / (double)Size;
        using var averageScalar = average.ToScalar();
        EmbedAvg[k].index_copy_(0, dead, fresh.mul(averageScalar));
        ClusterSize[k].index_fill_(0, dead, averageScalar);
    }

    /// <summary>
    /// Seeds level by level with k-means (k-means++-free: random distinct starts, <paramref name="iterations"/> Lloyd
    /// steps; empty clusters take a random vector) on the residuals of <paramref name="latentRows"/> (N, dim).
    /// </summary>
    public void InitKMeans(Tensor latentRows, int iterations, int vectorsPerStep, Random rng)
    {
        using var _ = no_grad();
        var residual = latentRows.clone();
        long n = residual.shape[0];
        for (int k = 0; k < Levels; k++)
        {
            using var scope = NewDisposeScope();
            var starts = tensor(Enumerable.Range(0, (int)n).OrderBy(_ => rng.Next()).Take(Size).Select(i => (long)i).ToArray());
            var centroids = residual.index_select(0, starts).clone();
            for (int it = 0; it < iterations; it++)
            {
                var idx = Nearest(residual, centroids);
                var onehot = nn.functional.one_hot(idx, Size).to(ScalarType.Float32);
                var counts = onehot.sum(dim: 0);
                var sums = onehot.t().matmul(residual);
                var empty = counts.eq(Scalars.Zero);
                var mean = sums / counts.clamp_min(Scalars.One).unsqueeze(1);
                var refill = residual.index_select(0, tensor(Enumerable.Range(0, Size).Select(_ => (long)rng.Next((int)n)).ToArray()));
                centroids = where(empty.unsqueeze(1), refill, mean);
            }
            var assigned = Nearest(residual, centroids);
            var counts2 = nn.functional.one_hot(assigned, Size).to(ScalarType.Float32).sum(dim: 0);
            Embed[k].copy_(centroids);
            using var perStep = vectorsPerStep.ToScalar();
            ClusterSize[k].copy_((counts2.clamp_min(Scalars.One) / counts2.sum()).mul(perStep)); // the EMA steady state of usage per step
            EmbedAvg[k].copy_(centroids * ClusterSize[k].unsqueeze(1));
            residual.sub_(centroids.index_select(0, assigned));
        }
    }

    /// <summary>Distinct codes per level in <paramref name="codes"/> (B, K, F).</summary>
    public static int[] UsedCodes(Tensor codes) =>
        Enumerable.Range(0, (int)codes.shape[1]).Select(k => (int)codes.select(1, k).unique().Item1.shape[0]).ToArray();

    public void Dispose()
    {
        foreach (var t in Embed.Concat(EmbedAvg).Concat(ClusterSize)) t.Dispose();
    }
}
