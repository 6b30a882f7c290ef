using System.Diagnostics;
using System.Globalization;
using Smitin.Generation;
using Smitin.Models;
using Smitin.Models.Decoder;
using Smitin.Probing;
using Smitin.Steering;
using TorchSharp;
using static TorchSharp.torch;

namespace Smitin.Bench;

/// <summary>
/// <c>steering [steps] [rounds]</c>: the cost of steering at musicgen-small decoder shapes (24 layers x 16 heads x 64,
/// hidden 1024, ffn 4096, 4 x 2048 codes; random weights), batch 1 with guidance (2 rows), 2 threads, greedy.
/// Plain generation, monitor only, ITI (top-48 heads, every step) and SMITIN (all heads, every 5th step, gate) run
/// interleaved for several rounds on the same prompt; reported as ms per step and as ratios to plain in this run. The
/// machine is shared (noisy neighbours only ever add time), so the figures are the fastest round of each variant
/// (min/min) and the median over rounds of the ratio to the plain run of the same round (paired). A last run per
/// variant also times the steering hook itself, between two timing hooks registered around it on every layer.
/// </summary>
static class SteeringBench
{
    public static int Run(string[] args)
    {
        int steps = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 12;
        int rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 15;
        Native.TorchRuntime.Ensure();
        torch.set_num_threads(2);
        torch.manual_seed(7);
        var config = new DecoderConfig(VocabSize: 2048, HiddenSize: 1024, NumHiddenLayers: 24, NumAttentionHeads: 16, FfnDim: 4096,
            NumCodebooks: 4, AudioChannels: 1, MaxPositionEmbeddings: 2048, ActivationFunction: "gelu", ScaleEmbedding: false,
            PadTokenId: 2048, BosTokenId: 2048);
        using var lm = new MusicGenLm(config);
        var probes = RandomProbes(config);
        var variants = new (string Name, InterventionPlan? Plan)[]
        {
            ("plain", null),
            ("monitor only", InterventionPlan.Monitor([probes])),
            ("ITI (K 48, every step)", InterventionPlan.Build(probes, new SteeringOptions { Mode = SteeringMode.Iti })),
            ("SMITIN (s 5, gate)", InterventionPlan.Build(probes, new SteeringOptions { Tau = 1 })),  // τ = 1: the gate stays open
            ("SMITIN (s 1, gate)", InterventionPlan.Build(probes, new SteeringOptions { Every = 1, Tau = 1 })),
        };

        using var scope = torch.NewDisposeScope();
        var memory = torch.randn([1, 12, config.HiddenSize], generator: new Generator(3));           // (B, S, D) text states
        var mask = torch.ones(1, 12, ScalarType.Int64);
        var generator = new CodeGenerator(lm, config.BosTokenId, 50);
        var options = new GenerationOptions { Greedy = true, MaxNewTokens = steps, GuidanceScale = 3 };
        generator.Generate(memory, mask, null, options with { MaxNewTokens = 8 }).Dispose();      // warm-up

        var perStep = variants.Select(_ => new List<double>()).ToArray();
        var shifted = new int[variants.Length];
        for (int r = 0; r < rounds; r++)
            for (int v = 0; v < variants.Length; v++)
            {
                var sw = Stopwatch.StartNew();
                using var result = generator.Generate(memory, mask, null, options with { Steering = variants[v].Plan });
                perStep[v].Add(sw.Elapsed.TotalMilliseconds / steps);
                shifted[v] = result.Steering?.Trace.Traits[0].Samples[0].Shifted.Count(x => x) ?? 0;
            }

        var inHook = variants.Select(v => v.Plan is null ? 0 : TimeInHook(lm, generator, memory, mask, options, v.Plan)).ToArray();
        Console.WriteLine($"steering overhead, musicgen-small decoder shapes, random weights, batch 1 + guidance, {steps} steps x {rounds} rounds, 2 threads");
        double plainMin = perStep[0].Min();
        for (int v = 0; v < variants.Length; v++)
        {
            double min = perStep[v].Min();
            var paired = perStep[v].Zip(perStep[0], (a, p) => a / p).ToList();
            Console.WriteLine(FormattableString.Invariant(
                $"  {variants[v].Name,-24} min {min,6:F1} ms/step (median {Median(perStep[v]),6:F1})  min/min {min / plainMin:F3}  paired median {Median(paired):F3}  shifted steps {shifted[v]}/{steps}  in hook {inHook[v]:F2} ms/step ({inHook[v] / min:P2} of the fastest step)"));
        }
        return 0;
    }

    /// <summary>Milliseconds per step spent between a timing hook just before the session's hook and one just after it.</summary>
    static double TimeInHook(MusicGenLm lm, CodeGenerator generator, Tensor memory, Tensor mask, GenerationOptions options, InterventionPlan plan)
    {
        var clock = Stopwatch.StartNew();
        double total = 0, start = 0;
        using var before = lm.AddHeadHook((_, _) => { start = clock.Elapsed.TotalMilliseconds; return null; });
        using var session = lm.Steer(plan);
        using var after = lm.AddHeadHook((_, _) => { total += clock.Elapsed.TotalMilliseconds - start; return null; });
        using var result = generator.Generate(memory, mask, null, options);
        return total / options.MaxNewTokens!.Value;
    }

    /// <summary>A probe set with random weights, distinct accuracies and a random probing set (mass-mean direction).</summary>
    static ProbeSet RandomProbes(DecoderConfig c)
    {
        int l = c.NumHiddenLayers, h = c.NumAttentionHeads, d = c.HeadDim, n = l * h, rows = 16;
        var rng = new Random(5);
        float Noise() => (float)(rng.NextDouble() * 2 - 1);
        var w = Enumerable.Range(0, n * d).Select(_ => Noise() * 0.2f).ToArray();
        var b = Enumerable.Range(0, n).Select(_ => Noise() * 0.1f).ToArray();
        var acc = Enumerable.Range(0, n).Select(i => 0.5f + 0.45f * ((i * 7919) % n) / n).ToArray();
        var fits = new ProbeFits(l, h, d, w, b, acc, acc, ProbeSolver.Newton);
        var values = Enumerable.Range(0, rows * n * d).Select(_ => Noise()).ToArray();
        var labels = Enumerable.Range(0, rows).Select(i => i % 2 == 0).ToArray();
        var all = new ActivationSet(values, labels, l, h, d);
        return ProbeSet.Build("random", new ProbeModelIdentity("bench", "bench", l, h, d), new ProbeProvenance { Source = "random" },
            fits, all, new ProbeTrainingOptions { Solver = ProbeSolver.Newton }, new ProbeSetOptions { Direction = ProbeDirection.MassMean });
    }

    static double Median(List<double> xs)
    {
        var s = xs.OrderBy(x => x).ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
    }
}
