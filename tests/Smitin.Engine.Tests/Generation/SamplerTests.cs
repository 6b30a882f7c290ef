using Smitin.Generation;
using TorchSharp;
using static TorchSharp.torch;

namespace Smitin.Tests.Generation;

public class SamplerTests
{
    public SamplerTests() => Native.TorchRuntime.Ensure();

    static Tensor Scores() => torch.tensor(new float[,] { { 0f, 3f, 1f, 2.5f, -1f }, { 4f, 0f, 0f, 0f, 3.9f } });

    [Fact]
    public void GreedyAndZeroTemperatureTakeTheArgmax()
    {
        using var scope = torch.NewDisposeScope();
        Assert.Equal(new long[] { 1, 0 }, Sampler.Next(Scores(), new GenerationOptions { Greedy = true }, null).data<long>().ToArray());
        Assert.Equal(new long[] { 1, 0 }, Sampler.Next(Scores(), new GenerationOptions { Temperature = 0 }, null).data<long>().ToArray());
    }

    [Fact]
    public void TopKSamplesOnlyAmongTheKBest()
    {
        using var scope = torch.NewDisposeScope();
        using var g = new Generator(42, torch.CPU);
        var seen = new HashSet<long>();
        for (int i = 0; i < 300; i++)
            seen.Add(Sampler.Next(Scores(), new GenerationOptions { TopK = 2 }, g)[0].item<long>());
        Assert.Equal(new HashSet<long> { 1, 3 }, seen);
    }

    [Fact]
    public void TopPKeepsTheSmallestSetReachingP()
    {
        using var scope = torch.NewDisposeScope();
        using var g = new Generator(42, torch.CPU);
        var seen = new HashSet<long>();
        // row 0 probabilities ≈ [.03, .52, .07, .32, .01]: p = 0.6 keeps {1, 3}; p takes precedence over top-k
        for (int i = 0; i < 300; i++)
            seen.Add(Sampler.Next(Scores(), new GenerationOptions { TopP = 0.6, TopK = 1 }, g)[0].item<long>());
        Assert.Equal(new HashSet<long> { 1, 3 }, seen);
    }

    [Fact]
    public void TheSameSeedDrawsTheSameTokens()
    {
        using var scope = torch.NewDisposeScope();
        var logits = torch.randn(8, 50, generator: new Generator(1, torch.CPU));
        Tensor Draw(ulong seed) { using var g = new Generator(seed, torch.CPU); return Sampler.Next(logits, new GenerationOptions(), g); }
        Assert.True(Draw(9).eq(Draw(9)).all().item<bool>());
    }
}
