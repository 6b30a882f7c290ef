using Smitin.Generation;
using Smitin.Probing;
using Smitin.Steering;
using Smitin.Tests.Support;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Smitin.Tests.Steering;

/// <summary>
/// Steering with a real probe set for a trait planted in the fixture decoder. The trait is a fixed vector δ_h added
/// to every layer-0 head output: matched pairs of the same random code sequences run with the plant (trait present)
/// and without it (absent), so layer-0 heads differ by exactly δ and layer-1 heads by its downstream effect, as a
/// trait a trained model carries through its layers. Activations are captured at the last position of teacher-forced,
/// text-free forwards (as probing does), probes are fitted with <see cref="ProbeFitter"/> and the set is built with
/// the mass-mean direction. Generation then runs without the plant: steering must bring the trait back.
/// </summary>
public class SteeringBehaviourTests(DecoderFixture f, ITestOutputHelper output) : IClassFixture<DecoderFixture>
{
    const float PlantNorm = 1.0f;

    ProbeSet? _probes;

    ProbeSet PlantedProbes() => _probes ??= Train();

    ProbeSet Train()
    {
        var c = f.Config.Decoder;
        int layers = c.NumHiddenLayers, heads = c.NumAttentionHeads, d = c.HeadDim, k = c.NumCodebooks, v = c.VocabSize;
        using var scope = torch.NewDisposeScope();
        var delta = torch.randn([heads, d], generator: new Generator(17));                      // (H, D)
        delta = delta / delta.norm(1, keepdim: true) * PlantNorm;

        ActivationSet Capture(int count, int seed)
        {
            using var inner = torch.NewDisposeScope();
            var codes = torch.randint(0, v, [count, k, 12], generator: new Generator((ulong)seed));  // (N, K, T)
            codes.select(2, 0).fill_(f.Config.DecoderStartTokenId);                                  // start column
            var rows = new List<float[]>();
            foreach (bool planted in new[] { true, false })
            {
                var z = new Tensor[layers];
                using var plant = planted ? f.Lm.AddHeadHook((l, zl) => l == 0 ? zl + delta : null) : null;
                using (f.Lm.AddHeadHook((l, zl) => { z[l] = zl.select(1, zl.shape[1] - 1).clone().DetachFromDisposeScope(); return null; }))
                    f.Lm.Forward(codes);
                using var all = torch.stack(z, 1).contiguous();                                         // (N, L, H, D)
                foreach (var t in z) t.Dispose();
                rows.Add(all.data<float>().ToArray());
            }
            return new ActivationSet([.. rows[0], .. rows[1]], [.. Enumerable.Repeat(true, count), .. Enumerable.Repeat(false, count)], layers, heads, d);
        }
        var train = Capture(64, 1);
        var validation = Capture(32, 2);
        var training = new ProbeTrainingOptions { Solver = ProbeSolver.Newton };
        var fits = ProbeFitter.Fit(train, validation, training);
        var set = ProbeSet.Build("planted", HandBuiltProbes.Identity(layers, heads, d), new ProbeProvenance { Source = "synthetic: layer-0 plant" },
            fits, ActivationSet.Concat(train, validation), training, new ProbeSetOptions { Direction = ProbeDirection.MassMean });
        output.WriteLine($"planted probes: accuracy [{string.Join(", ", set.Accuracy.Select(a => a.ToString("F2")))}], tau {set.Tau:F3}");
        return set;
    }

    static GenerationOptions Options(InterventionPlan plan) => new() { MaxNewTokens = 40, Seed = 5, TopK = 8, Steering = plan };

    static double MeanConfidence(SteeringRecord r) =>
        r.Trace.Traits[0].Samples.SelectMany(s => s.Confidence.Skip(1)).Average(x => (double)x);

    static double FractionAtLeast(SteeringRecord r, double tau) =>
        r.Trace.Traits[0].Samples.SelectMany(s => s.Confidence.Skip(1)).Average(x => x >= tau ? 1.0 : 0.0);

    [Fact]
    public void SteeringRaisesTheMonitoredProbabilityItiEveryStepSmitinUntilTau()
    {
        var probes = PlantedProbes();
        using var plain = SteeringTestKit.Generate(f, Options(InterventionPlan.Monitor([probes])), batch: 4, withText: false);
        using var iti = SteeringTestKit.Generate(f, Options(InterventionPlan.Build(probes, new SteeringOptions { Mode = SteeringMode.Iti, Alpha = 5, TopKHeads = 4 })), batch: 4, withText: false);
        double cPlain = MeanConfidence(plain.Steering!), cIti = MeanConfidence(iti.Steering!);

        // SMITIN with τ half-way between the unsteered and the ITI monitor level: it must get there and then stop
        double tau = (cPlain + cIti) / 2;
        using var smitin = SteeringTestKit.Generate(f, Options(InterventionPlan.Build(probes, new SteeringOptions { Alpha = 5, Every = 2, Tau = tau })), batch: 4, withText: false);
        double cSmitin = MeanConfidence(smitin.Steering!);
        output.WriteLine($"mean C: none {cPlain:F3}, ITI {cIti:F3}, SMITIN {cSmitin:F3} (tau {tau:F3})");

        Assert.True(cIti > cPlain + 0.1, $"ITI should raise the monitor: {cPlain:F3} -> {cIti:F3}");
        double reachedPlain = FractionAtLeast(plain.Steering!, tau), reachedSmitin = FractionAtLeast(smitin.Steering!, tau);
        output.WriteLine($"steps with C >= tau: none {reachedPlain:P0}, SMITIN {reachedSmitin:P0}");
        Assert.True(cSmitin > cPlain + 0.02, $"SMITIN should raise the monitor: {cPlain:F3} -> {cSmitin:F3}");
        Assert.True(reachedSmitin > reachedPlain + 0.05, $"SMITIN should reach tau more often: {reachedPlain:P0} -> {reachedSmitin:P0}");
        foreach (var s in iti.Steering!.Trace.Traits[0].Samples)
            Assert.Equal(Enumerable.Range(0, s.Shifted.Length).Select(t => t >= 1).ToArray(), s.Shifted);
        int stops = 0, shifts = 0;
        foreach (var s in smitin.Steering!.Trace.Traits[0].Samples)
            for (int t = 1; t < s.Shifted.Length; t++)
            {
                if (s.Shifted[t]) { shifts++; Assert.True(s.Confidence[t - 1] < tau, $"sample {s.Sample} step {t}: shifted although C(t-1) = {s.Confidence[t - 1]:F3} >= tau"); }
                else if (s.Scheduled[t] && s.Confidence[t - 1] >= tau) stops++;
            }
        output.WriteLine($"SMITIN: {shifts} shifted steps, {stops} scheduled steps skipped because C >= tau");
        Assert.True(shifts > 0 && stops > 0, "SMITIN both shifted and stopped at tau");
        Assert.True(shifts < iti.Steering.Trace.Traits[0].Samples.Sum(s => s.Shifted.Count(x => x)), "SMITIN shifts less than ITI");
    }
}
