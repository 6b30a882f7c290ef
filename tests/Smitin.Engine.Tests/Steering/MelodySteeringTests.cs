using Smitin.Generation;
using Smitin.Probing;
using Smitin.Steering;
using Smitin.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Smitin.Tests.Steering;

/// <summary>
/// Steering a MusicGen Melody model (text + melody, guidance 3): the hooks sit on every self-attention layer as for
/// plain MusicGen; α = 0 leaves the generation bit-identical, ITI changes the codes, and the conditioning prefix
/// positions (chroma + text rows, fed at step 0) are never shifted — only the newest position is.
/// </summary>
public class MelodySteeringTests(MelodyFixture f) : IClassFixture<MelodyFixture>
{
    const int Steps = 12;

    Smitin.Probing.ProbeSet Probes()
    {
        var c = f.Model.Config.Decoder;
        return HandBuiltProbes.Random("melody-trait", c.NumHiddenLayers, c.NumAttentionHeads, c.HeadDim, seed: 7, model: ProbeModelIdentity.Of(f.Model)); // the model's identity: MusicGen.GenerateMelody checks it
    }

    GenerationResult Run(InterventionPlan? plan)
    {
        var options = new GenerationOptions { Greedy = true, GuidanceScale = 3, MaxNewTokens = Steps, RecordScores = true, Steering = plan };
        return f.Model.Generate(f.Prompts()[..2], [f.Clip("chroma.a.waveform", 32000), f.Clip("chroma.b.waveform", 32000)], options, decodeAudio: false);
    }

    [Fact]
    public void AlphaZeroIsBitIdenticalAndItiChangesTheCodes()
    {
        using var scope = torch.NewDisposeScope();
        using var plain = Run(null);
        using var zero = Run(InterventionPlan.Build(Probes(), new SteeringOptions { Mode = SteeringMode.Iti, Alpha = 0 }));
        TensorAssert.Equal(plain.Codes, zero.Codes, "α = 0 codes");
        Assert.True(Same(plain.StepScores!, zero.StepScores!), "α = 0 step scores are bit-identical");
        Assert.NotNull(zero.Steering);
        Assert.Equal(Steps, zero.Steering!.Trace.Steps);                                    // the monitor read every step

        using var iti = Run(InterventionPlan.Build(Probes(), new SteeringOptions { Mode = SteeringMode.Iti, Alpha = 40, TopKHeads = 8 }));
        Assert.False(Same(plain.Codes, iti.Codes), "ITI with α = 40 must change the generated codes");
    }

    [Fact]
    public void ThePrefixPositionsAreNeverShifted()
    {
        using var scope = torch.NewDisposeScope();
        int layers = f.Model.Config.Decoder.NumHiddenLayers;
        var plan = InterventionPlan.Build(Probes(), new SteeringOptions { Mode = SteeringMode.Iti, Alpha = 40, TopKHeads = 8 });

        // z of steps 0 and 1 as the decoder uses it. Hooks run in registration order, so for the steered run the
        // session is opened first and the capture hook registered after it: it sees z after the shift.
        (Tensor[,] Z, int[] Past, int Conditioning) Capture(InterventionPlan? p)
        {
            var z = new Tensor[2, layers];
            var past = new int[2];
            int conditioning = -1;
            using var session = p is null ? null : f.Model.Decoder.Steer(p);
            using var spy = f.Model.Decoder.AddHeadHook((l, zl, ctx) =>
            {
                if (ctx.Generation is { Step: < 2 } g)
                {
                    z[g.Step, l] = zl.clone().DetachFromDisposeScope();
                    past[g.Step] = ctx.PastLength;
                    conditioning = g.ConditioningLength;
                }
                return null;
            });
            var options = new GenerationOptions { Greedy = true, GuidanceScale = 3, MaxNewTokens = Steps };
            using var _ = f.Model.Generate(f.Prompts()[..2], [f.Clip("chroma.a.waveform", 32000), f.Clip("chroma.b.waveform", 32000)], options, decodeAudio: false);
            return (z, past, conditioning);
        }
        var (plain, plainPast, conditioning) = Capture(null);
        var (steered, steeredPast, _) = Capture(plan);

        Assert.Equal(32 + 22, conditioning);                                                  // chroma_length + text rows
        Assert.Equal([0, conditioning + 1], plainPast);                                       // step 0: prefix + start token in one pass
        Assert.Equal(plainPast, steeredPast);
        for (int l = 0; l < layers; l++)
        {
            Assert.Equal(conditioning + 1, (int)steered[0, l].shape[1]);
            // step 0 (prefix rows and the start token) is never shifted: bit-identical in every layer
            Assert.True(Same(plain[0, l], steered[0, l]), $"layer {l}: the step-0 pass (conditioning prefix + start token) is untouched by steering");
            // from step 1 the newest (only) position is shifted
            Assert.False(Same(plain[1, l], steered[1, l]), $"layer {l}: step 1's newest position is shifted");
        }
        foreach (var t in plain) t.Dispose();
        foreach (var t in steered) t.Dispose();
    }

    /// <summary>Same shape and bit-identical values.</summary>
    static bool Same(Tensor a, Tensor b)
    {
        using var eq = a.eq(b).all();
        return a.shape.SequenceEqual(b.shape) && eq.item<bool>();
    }
}
