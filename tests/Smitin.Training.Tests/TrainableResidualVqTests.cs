using static TorchSharp.torch;

namespace Smitin.Training.Tests;

public class TrainableResidualVqTests
{
    [Fact]
    public void Kmeans_init_finds_planted_clusters_and_quantising_is_near_lossless()
    {
        manual_seed(0);
        var centres = randn(8, 4) * 5;                                               // 8 clusters in 4-d
        var assign = randint(0, 8, 4000);
        var rows = centres.index_select(0, assign) + 0.01 * randn(4000, 4);
        using var rvq = new TrainableResidualVq(levels: 2, size: 8, dim: 4, decay: 0.99, deadThreshold: 0.02);
        rvq.InitKMeans(rows, iterations: 20, vectorsPerStep: 100, new Random(1));
        var latents = rows.view(40, 100, 4).permute(0, 2, 1);                          // (B, D, F)
        var (q, codes, commit) = rvq.Forward(latents, update: false, new Random(2));
        Assert.Equal(new long[] { 40, 2, 100 }, codes.shape);
        double err = (q - latents).pow(2).mean().item<float>();
        Assert.True(err < 1e-3, $"quantisation error {err} on well-separated clusters");
    }

    [Fact]
    public void Straight_through_gradient_reaches_the_latents_and_dead_codes_restart()
    {
        using var rvq = new TrainableResidualVq(levels: 1, size: 16, dim: 2, decay: 0.5, deadThreshold: 0.5);
        var latents = (randn(2, 2, 10) + 100).requires_grad_(true);                   // far from every initial codeword
        var (q, _, commit) = rvq.Forward(latents, update: true, new Random(3));
        (q.sum() + commit).backward();
        Assert.NotNull(latents.grad);
        Assert.True(latents.grad!.abs().sum().item<float>() > 0);
        // unused codes (usage decays 1 → 0.5 → below 0.5 after one more update) were restarted from batch vectors
        rvq.Forward(latents.detach(), update: true, new Random(4));
        var near = rvq.Embed[0].sub(100).abs().lt(10).all(1).sum().item<long>();
        Assert.True(near >= 8, $"only {near} of 16 codewords moved to the data");
    }
}
