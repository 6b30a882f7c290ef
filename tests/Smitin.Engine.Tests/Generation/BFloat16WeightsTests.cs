using Smitin.Generation;
using Smitin.IO;
using Smitin.Models;
using Smitin.Models.Decoder;
using Smitin.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Smitin.Tests.Generation;

/// <summary>
/// bfloat16 weight matrices (<see cref="MusicGenLoadOptions.DType"/>) against float32 on the fixture's greedy runs.
///
/// Error bound. bfloat16 keeps 8 significant bits: rounding to it has relative error ≤ u = 2⁻⁹. A product
/// y = W·x with W and x rounded and y rounded back has error ≤ 3u·(|W|·|x|) to first order (float32 accumulation
/// adds nothing comparable). The decoder's scores pass through N such products in sequence-or-sum (per layer
/// self q/k/v/out, cross q/k/v/out, fc1, fc2, then the LM head: N = 10·layers + 1); LayerNorm rescales and softmax
/// is 1-Lipschitz, so to first order the errors add: |Δscore| ≤ N · 3u · S, with S the largest |score| (|W|·|x| ≈
/// |y| for the dominant terms). A greedy pick can only change where float32's top-1/top-2 margin is below
/// 2·|Δscore|max: the test checks the measured |Δscore|max against the bound and that every pick whose margin
/// exceeds 2·|Δscore|max is float32's, until the first step whose pick differs (the inputs differ after it).
/// </summary>
public class BFloat16WeightsTests(DecoderFixture f) : IClassFixture<DecoderFixture>
{
    const double U = 1.0 / 512;                                                     // bfloat16 unit roundoff 2^-9

    public static TheoryData<string, bool> Runs => new() { { "gen.cfg3", false }, { "gen.nocfg", false }, { "cont.cfg3", true }, { "cont.nocfg", true } };

    [Theory]
    [MemberData(nameof(Runs))]
    public void GreedyPicksEqualFloat32WhereTheMarginExceedsTheBound(string run, bool continuation)
    {
        using var scope = torch.NewDisposeScope();
        int k = f.Config.Decoder.NumCodebooks, v = f.Config.Decoder.VocabSize;
        bool guided = run.EndsWith("cfg3", StringComparison.Ordinal);
        var refSteps = f.Ref($"{run}.step_scores");
        var memory = f.Ref($"{run}.encoder_hidden_states");
        var mask = f.Ref($"{run}.encoder_attention_mask");
        long b = refSteps.shape[1] / k;
        var options = new GenerationOptions { Greedy = true, GuidanceScale = guided ? 3.0 : 1.0, MaxNewTokens = (int)refSteps.shape[0], RecordScores = true };
        var prompt = continuation ? f.Ref("cont.prompt_codes")[0] : null;

        using var f32 = new CodeGenerator(f.Lm, f.Config.DecoderStartTokenId, f.Config.AudioEncoder.FrameRate)
            .Generate(memory.narrow(0, 0, b), mask.narrow(0, 0, b), prompt, options);
        using var ckpt = Checkpoint.Open(Fixture.Model());
        using var lm = MusicGenLm.Load(ckpt, f.Config.Decoder);
        long bytes = lm.UseWeightType(ScalarType.BFloat16);
        Assert.Equal(ScalarType.BFloat16, lm.lm_heads[0].weight.dtype);
        Assert.Equal(ScalarType.Float32, lm.Stack.embed_tokens[0].weight!.dtype);   // embeddings and norms stay float32
        Assert.Equal(lm.StepWeights().Sum(w => w.numel()) * 2 + (lm.Layers.Count * 2L * f.Config.Decoder.HiddenSize * f.Config.Decoder.HiddenSize * 2), bytes);
        using var bf = new CodeGenerator(lm, f.Config.DecoderStartTokenId, f.Config.AudioEncoder.FrameRate)
            .Generate(memory.narrow(0, 0, b), mask.narrow(0, 0, b), prompt, options);

        var s32 = f32.StepScores!.reshape(-1, b * k, v);                           // (steps, B*K, V)
        var s16 = bf.StepScores!.reshape(-1, b * k, v);
        Assert.Equal(ScalarType.Float32, s16.dtype);
        var pick32 = s32.argmax(-1); var pick16 = s16.argmax(-1);                    // (steps, B*K)
        var differs = pick32.ne(pick16).any(-1);                                       // (steps)
        long steps = s32.shape[0];
        long first = differs.any().item<bool>() ? differs.to(ScalarType.Int64).argmax().item<long>() : steps - 1;
        var compared = s32.narrow(0, 0, first + 1); var compared16 = s16.narrow(0, 0, first + 1);   // same inputs up to the first differing pick
        double maxDiff = (compared - compared16).abs().max().item<float>();
        double scale = compared.abs().max().item<float>();
        int products = 10 * f.Config.Decoder.NumHiddenLayers + 1;
        double bound = products * 3 * U * scale;
        Assert.True(maxDiff <= bound, $"{run}: max |score difference| {maxDiff:G4} exceeds the first-order bound {bound:G4} ({products} products x 3u x max |score| {scale:G4})");

        var top2 = compared.topk(2, -1).values;                                        // (steps', B*K, 2)
        var margin = top2.select(-1, 0) - top2.select(-1, 1);
        var clear = margin.gt(2 * maxDiff);
        long wrong = pick32.narrow(0, 0, first + 1).ne(pick16.narrow(0, 0, first + 1)).logical_and(clear).sum().item<long>();
        Assert.True(wrong == 0, $"{run}: {wrong} bfloat16 picks differ from float32 where the margin exceeds 2 x {maxDiff:G4}");
        Console.WriteLine($"{run}: bfloat16 vs float32: first differing step {(differs.any().item<bool>() ? first.ToString() : "none")} of {steps}, " +
            $"max |score diff| {maxDiff:G4} (bound {bound:G4}, max |score| {scale:G4}), picks equal {pick32.eq(pick16).sum().item<long>()} of {pick32.numel()}");
    }

    [Fact]
    public void TheLoadOptionConvertsTheMatricesAndRefusesUnknownTypes()
    {
        var log = new List<string>();
        using (var model = MusicGen.Load(Fixture.Model(), new MusicGenLoadOptions { DType = "bfloat16", Log = log.Add }))
        {
            Assert.All(model.Decoder.StepWeights(), w => Assert.Equal(ScalarType.BFloat16, w.dtype));
            Assert.Contains(log, l => l.Contains("decoder weight matrices stored as bfloat16"));
            var logits = model.Decoder.Forward(torch.zeros(1, f.Config.Decoder.NumCodebooks, 3, ScalarType.Int64));
            Assert.Equal(ScalarType.Float32, logits.dtype);
            Assert.True(logits.isfinite().all().item<bool>());
        }
        var e = Assert.Throws<OptionException>(() => MusicGen.Load(Fixture.Model(), new MusicGenLoadOptions { DType = "float16", Log = _ => { } }));
        Assert.Equal("dtype", e.Option);
        Assert.Contains("expected float32 or bfloat16", e.Message);
    }
}
