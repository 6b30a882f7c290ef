using Smitin.Generation;
using Smitin.Models;
using Smitin.Models.Decoder;
using Smitin.Steering;
using TorchSharp;
using static TorchSharp.torch;

namespace Smitin.Tests.Steering;

/// <summary>
/// The same exact-math check on a random stereo decoder (8 interleaved codebooks, 3 layers x 6 heads), batch 3 with
/// guidance, continuing random prompt codes, with a SMITIN trait and an ITI removal at once: nothing in steering
/// depends on the fixture's sizes, channels or batch.
/// </summary>
public sealed class StereoSteeringTests : IDisposable
{
    static readonly DecoderConfig Stereo = new(VocabSize: 100, HiddenSize: 48, NumHiddenLayers: 3, NumAttentionHeads: 6,
        FfnDim: 96, NumCodebooks: 8, AudioChannels: 2, MaxPositionEmbeddings: 64, ActivationFunction: "gelu",
        ScaleEmbedding: false, PadTokenId: 100, BosTokenId: 100);

    readonly MusicGenLm _lm;

    public StereoSteeringTests()
    {
        Native.TorchRuntime.Ensure();
        torch.manual_seed(3);
        _lm = new MusicGenLm(Stereo);
    }

    public void Dispose() => _lm.Dispose();

    [Fact]
    public void ShiftsAreExactOnAStereoDecoderWithABatchOfThreeAndAnAudioPrompt()
    {
        int batch = 3, steps = 9, l = Stereo.NumHiddenLayers, h = Stereo.NumAttentionHeads, d = Stereo.HeadDim;
        var add = HandBuiltProbes.Random("drums", l, h, d, seed: 21, tau: 0.999);
        var remove = HandBuiltProbes.Random("bass", l, h, d, seed: 22);
        var oa = new SteeringOptions { Alpha = 1.5, Every = 2 };
        var or = new SteeringOptions { Mode = SteeringMode.Iti, Action = SteeringAction.Remove, Alpha = 1, TopKHeads = 5, Rows = SteeringRows.Conditional };
        var plan = InterventionPlan.Build([(add, oa), (remove, or)]);

        using var scope = torch.NewDisposeScope();
        var gen = new Generator(9);
        var memory = torch.randn([batch, 5, Stereo.HiddenSize], generator: gen);                  // (B, S, D)
        var prompt = torch.randint(0, Stereo.VocabSize, [batch, Stereo.NumCodebooks, 4], generator: gen); // (B, K, P)
        var generator = new CodeGenerator(_lm, Stereo.BosTokenId, 50);
        var options = new GenerationOptions { MaxNewTokens = steps, Seed = 4, TopK = 10 };

        // captures around the steering hook: "before" registered ahead of the session, "after" behind it
        using var before = new HeadCapture(_lm);
        using var session = _lm.Steer(plan);
        using var after = new HeadCapture(_lm);
        using var result = generator.Generate(memory, null, prompt, options);
        var record = result.Steering!;
        Assert.Equal((batch, steps), (record.Trace.BatchSize, record.Trace.Steps));
        Assert.True(before.Shape[(0, 0)][1] > 1, "step 0 runs the prompt prefix");
        SteeringTestKit.AssertMonitor(record, 0, add, before, batch, steps, 16);
        SteeringTestKit.AssertMonitor(record, 1, remove, before, batch, steps, 16);
        SteeringTestKit.AssertShifts(before, after, [(add, oa), (remove, or)],
            SteeringTestKit.Coefficient(record, [oa, or], [0.999, 0.5], batch), l);
    }
}
