using Smitin.Generation;
using Smitin.Models;
using Smitin.Models.Decoder;
using Smitin.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Smitin.Tests.Models.Decoder;

/// <summary>
/// A randomly initialised decoder of another shape than the fixture (3 layers, 6 heads, stereo with 8 codebooks,
/// vocabulary 100): shapes follow the config, the KV cache equals full recomputation, hooks behave.
/// </summary>
public sealed class RandomDecoderTests : IDisposable
{
    static readonly DecoderConfig Stereo = new(VocabSize: 100, HiddenSize: 48, NumHiddenLayers: 3, NumAttentionHeads: 6,
        FfnDim: 96, NumCodebooks: 8, AudioChannels: 2, MaxPositionEmbeddings: 64, ActivationFunction: "gelu",
        ScaleEmbedding: false, PadTokenId: 100, BosTokenId: 100);

    readonly MusicGenLm _lm;

    public RandomDecoderTests()
    {
        Native.TorchRuntime.Ensure();
        torch.set_num_threads(1); // tiny shapes: see DecoderFixture
        torch.manual_seed(7);
        _lm = new MusicGenLm(Stereo);
    }

    public void Dispose() => _lm.Dispose();

    static Tensor RandomCodes(int b, int t, int seed) =>
        torch.randint(0, Stereo.VocabSize, [b, Stereo.NumCodebooks, t], ScalarType.Int64, generator: new Generator((ulong)seed));

    /// <summary>Bit-identical: same shape and every element equal.</summary>
    static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    [Fact]
    public void ShapesFollowTheConfig()
    {
        using var scope = torch.NewDisposeScope();
        var hidden = new List<Tensor>();
        var logits = _lm.Forward(RandomCodes(2, 5, 1), torch.randn(2, 7, Stereo.HiddenSize), torch.ones(2, 7), hiddenStates: hidden);
        Assert.Equal(new long[] { 2, Stereo.NumCodebooks, 5, Stereo.VocabSize }, logits.shape);
        Assert.Equal(Stereo.NumHiddenLayers + 1, hidden.Count);
        Assert.All(hidden, h => Assert.Equal(new long[] { 2, 5, Stereo.HiddenSize }, h.shape));
        Assert.Equal(Stereo.NumCodebooks, _lm.lm_heads.Count);
        Assert.Equal(new long[] { Stereo.VocabSize + 1, Stereo.HiddenSize }, _lm.Stack.embed_tokens[0].weight!.shape);
        Assert.Contains("model.decoder.layers.2.self_attn.q_proj.weight", _lm.state_dict().Keys);
        Assert.Contains("lm_heads.7.weight", _lm.state_dict().Keys);
        Assert.Contains("model.decoder.embed_positions.weights", _lm.state_dict().Keys);
    }

    [Fact]
    public void KeyValueCacheEqualsFullRecomputation()
    {
        using var scope = torch.NewDisposeScope();
        var codes = RandomCodes(2, 10, 2);
        var memory = torch.randn(2, 6, Stereo.HiddenSize);
        var mask = torch.tensor(new long[,] { { 1, 1, 1, 1, 0, 0 }, { 1, 1, 1, 1, 1, 1 } });
        var full = _lm.Forward(codes, memory, mask);                                         // (B, K, 10, V)

        using var cache = _lm.CreateCache(4);                                                // grows past its hint
        var parts = new List<Tensor> { _lm.Forward(codes.narrow(2, 0, 4), memory, mask, cache) };
        for (int t = 4; t < 10; t++) parts.Add(_lm.Forward(codes.narrow(2, t, 1), null, null, cache));
        Assert.Equal(10, cache.Length);
        TensorAssert.Close(full, torch.cat(parts, 2), atol: 1e-5, rtol: 1e-5, what: "cached vs full logits");
    }

    [Fact]
    public void NoMemoryEqualsAnAllZeroFullyMaskedMemoryAndNeverGivesNaN()
    {
        using var scope = torch.NewDisposeScope();
        var codes = RandomCodes(1, 6, 3);
        var none = _lm.Forward(codes);
        var zero = _lm.Forward(codes, torch.zeros(1, 5, Stereo.HiddenSize), torch.zeros(1, 5, ScalarType.Int64));
        TensorAssert.Close(none, zero, atol: 1e-6, rtol: 0, what: "no memory vs zero memory");
        var masked = _lm.Forward(codes, torch.randn(1, 5, Stereo.HiddenSize), torch.zeros(1, 5, ScalarType.Int64));
        Assert.False(masked.isnan().any().item<bool>());
    }

    [Fact]
    public void IdentityHookIsBitIdenticalAndAReplacementChangesTheOutput()
    {
        using var scope = torch.NewDisposeScope();
        var options = new GenerationOptions { MaxNewTokens = 9, Seed = 11, TopK = 20, RecordScores = true };
        var memory = torch.randn(2, 4, Stereo.HiddenSize);
        var generator = new CodeGenerator(_lm, Stereo.BosTokenId, 50);
        using var plain = generator.Generate(memory, torch.ones(2, 4), null, options);
        GenerationResult hooked;
        using (_lm.AddHeadHook((_, z) => z.clone()))
            hooked = generator.Generate(memory, torch.ones(2, 4), null, options);
        using (hooked)
        {
            Assert.True(Same(plain.StepScores!, hooked.StepScores!), "identity replacement must be bit-identical");
            Assert.True(Same(plain.Codes, hooked.Codes));
        }
        using (_lm.AddHeadHook((l, z) => l == 1 ? torch.zeros_like(z) : null))
        using (var zeroed = generator.Generate(memory, torch.ones(2, 4), null, options))
            Assert.False(Same(plain.StepScores!, zeroed.StepScores!), "a replacement must reach the output");
    }

    [Fact]
    public void HooksSeeTheGenerationStepAndTheGuidanceLayout()
    {
        using var scope = torch.NewDisposeScope();
        var seen = new List<(int Layer, long Rows, long T, HookContext Context)>();
        var generator = new CodeGenerator(_lm, Stereo.BosTokenId, 50);
        var options = new GenerationOptions { Greedy = true, MaxNewTokens = 8, GuidanceScale = 3 };
        using (_lm.AddHeadHook((l, z, c) => { seen.Add((l, z.shape[0], z.shape[1], c)); return null; }))
        using (generator.Generate(torch.randn(3, 4, Stereo.HiddenSize), torch.ones(3, 4), RandomCodes(3, 5, 4), options)) { }

        Assert.Equal(8 * Stereo.NumHiddenLayers, seen.Count);
        var first = seen[0];
        Assert.True(first.Context.Generation!.IsPrefill);
        Assert.Equal(6, first.Rows);                                   // 2B rows: conditional then unconditional
        Assert.Equal(6, first.T);                                      // start token + 5 prompt frames
        Assert.Equal(0..3, first.Context.Generation.ConditionalRows);
        Assert.Equal(3..6, first.Context.Generation.UnconditionalRows);
        var last = seen[^1];
        Assert.Equal(7, last.Context.Generation!.Step);
        Assert.Equal(1, last.T);
        Assert.Equal(6 + 6, last.Context.PastLength);                  // prefix 6 + 6 earlier single steps
        Assert.Null(_lm.CurrentContext);
        Assert.All(seen.Where(s => s.Layer == 0).Select((s, i) => (s, i)), p => Assert.Equal(p.i, p.s.Context.Generation!.Step));
    }

    [Fact]
    public void StereoGenerationGivesInterleavedCodesOfTheExpectedLength()
    {
        using var scope = torch.NewDisposeScope();
        var generator = new CodeGenerator(_lm, Stereo.BosTokenId, 50);
        var options = new GenerationOptions { MaxNewTokens = 12, Seed = 5 };
        using var a = generator.Generate(torch.randn(2, 3, Stereo.HiddenSize), torch.ones(2, 3), null, options);
        int kc = Stereo.NumCodebooks / 2;
        Assert.Equal(new long[] { 2, Stereo.NumCodebooks, 12 + 1 - kc }, a.Codes.shape);
        Assert.True(a.Codes.lt(Stereo.VocabSize).all().item<bool>(), "no pad token survives");
        // the pattern treats each left/right pair alike
        for (int row = 0; row < Stereo.NumCodebooks; row += 2)
            Assert.True(Same(a.Pattern[0, row].eq(-1), a.Pattern[0, row + 1].eq(-1)));
    }

    [Fact]
    public void ADecoderBuiltInsideADisposeScopeKeepsItsWeights()
    {
        MusicGenLm lm;
        using (torch.NewDisposeScope()) lm = new MusicGenLm(Stereo);
        using (lm)
        using (torch.NewDisposeScope())
        {
            Assert.Equal(_lm.state_dict().Count, lm.parameters().Count(p => !p.IsInvalid));
            Assert.Equal(new long[] { 1, Stereo.NumCodebooks, 3, Stereo.VocabSize }, lm.Forward(RandomCodes(1, 3, 5)).shape);
        }
    }

    [Fact]
    public void UnknownActivationIsANamedError()
    {
        var e = Assert.Throws<SmitinException>(() => new MusicGenLm(Stereo with { ActivationFunction = "mish" }));
        Assert.Contains("decoder.activation_function", e.Message);
    }
}
