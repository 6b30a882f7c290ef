using Smitin.Generation;
using Smitin.Models.Decoder;
using Smitin.Probing;
using Smitin.Steering;
using Smitin.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Smitin.Tests.Steering;

/// <summary>Captures z (B, T, H, D) of every self-attention layer at every generation step (host copies).</summary>
sealed class HeadCapture : IDisposable
{
    readonly HookHandle _handle;
    public Dictionary<(int Step, int Layer), float[]> Z { get; } = [];
    public Dictionary<(int Step, int Layer), long[]> Shape { get; } = [];

    public HeadCapture(MusicGenLm lm) => _handle = lm.AddHeadHook((l, z, ctx) =>
    {
        if (ctx.Generation is { } g)
        {
            using var copy = z.contiguous().cpu();
            Z[(g.Step, l)] = copy.data<float>().ToArray();
            Shape[(g.Step, l)] = z.shape;
        }
        return null;
    });

    public void Dispose() => _handle.Dispose();
}

/// <summary>Generation on the fixture decoder driven by the reference's text memory, and the independent maths of §4.</summary>
static class SteeringTestKit
{
    /// <summary>Runs the generator on the first <paramref name="batch"/> prompts of <c>gen.cfg3</c> (or the <c>cont</c> prompt).</summary>
    public static GenerationResult Generate(DecoderFixture f, GenerationOptions options, int batch = 2, bool continuation = false,
        bool withText = true, IProgress<GenerationProgress>? progress = null, CancellationToken ct = default)
    {
        using var scope = torch.NewDisposeScope();
        string run = continuation ? "cont.cfg3" : "gen.cfg3";
        var memory = withText ? f.Ref($"{run}.encoder_hidden_states").narrow(0, 0, batch) : null;  // (B, S, D)
        var mask = withText ? f.Ref($"{run}.encoder_attention_mask").narrow(0, 0, batch) : null;
        var prompt = continuation ? f.Ref("cont.prompt_codes")[0].narrow(0, 0, batch) : null;     // (B, K, P)
        var generator = new CodeGenerator(f.Lm, f.Config.DecoderStartTokenId, f.Config.AudioEncoder.FrameRate);
        return generator.Generate(memory, mask, prompt, options, progress, ct, batchSize: batch);
    }

    /// <summary>ω of §4 in double: soft weights ((a − a_min)/(a_max − a_min))^p, or 1 on the top-K heads (ITI).</summary>
    public static double[] Omega(ProbeSet p, SteeringOptions o)
    {
        var a = p.Accuracy.Select(x => (double)x).ToArray();
        if (o.Mode == SteeringMode.Iti)
        {
            var top = Enumerable.Range(0, a.Length).OrderByDescending(i => a[i]).ThenBy(i => i).Take(o.TopKHeads).ToHashSet();
            return Enumerable.Range(0, a.Length).Select(i => top.Contains(i) ? 1.0 : 0.0).ToArray();
        }
        double min = a.Min(), max = a.Max();
        return a.Select(x => Math.Pow((x - min) / (max - min), o.SoftWeightExponent ?? p.SoftWeightExponent)).ToArray();
    }

    /// <summary>C(t) per sample from captured (pre-shift) z: median of sigmoid(w·z + b) over the M most accurate heads.</summary>
    public static double[] Confidence(ProbeSet p, int monitorHeads, HeadCapture before, int step, int batch)
    {
        int heads = p.Heads, d = p.HeadDim;
        var monitor = Enumerable.Range(0, p.Accuracy.Length).OrderByDescending(i => p.Accuracy[i]).ThenBy(i => i).Take(monitorHeads).ToArray();
        var c = new double[batch];
        for (int b = 0; b < batch; b++)
        {
            var probs = monitor.Select(flat =>
            {
                int l = flat / heads, h = flat % heads;
                var z = before.Z[(step, l)];
                var shape = before.Shape[(step, l)];                 // (R, T, H, D)
                long t = shape[1];
                long offset = ((b * t + (t - 1)) * heads + h) * d;
                double s = p.Bias[flat];
                for (int j = 0; j < d; j++) s += (double)p.Weights[flat * d + j] * z[offset + j];
                return 1 / (1 + Math.Exp(-s));
            }).OrderBy(x => x).ToArray();
            int m = probs.Length;
            c[b] = m % 2 == 1 ? probs[m / 2] : (probs[m / 2 - 1] + probs[m / 2]) / 2;
        }
        return c;
    }

    /// <summary>Checks the trace's C(t) against the independent median over the captured pre-shift z.</summary>
    public static void AssertMonitor(SteeringRecord record, int trait, ProbeSet p, HeadCapture before, int batch, int steps, int monitorHeads)
    {
        var series = record.Trace.Traits[trait].Samples;
        Assert.Equal(batch, series.Count);
        for (int t = 0; t < steps; t++)
        {
            var c = Confidence(p, monitorHeads, before, t, batch);
            for (int b = 0; b < batch; b++)
                Assert.True(Math.Abs(series[b].Confidence[t] - c[b]) < 1e-5, $"trait {trait} sample {b} step {t}: C {series[b].Confidence[t]} vs independent {c[b]}");
        }
    }

    /// <summary>
    /// The coefficient of §4 per (trait, step, row) from the (verified) monitor values of the trace: ITI α·sign on
    /// every step t ≥ 1; SMITIN scheduled·g·β·α·sign with the gate on C(t−1) against <paramref name="thresholds"/>;
    /// unconditional rows (row ≥ B) follow their sample unless the trait shifts conditional rows only.
    /// </summary>
    public static Func<int, int, int, double> Coefficient(SteeringRecord record, IReadOnlyList<SteeringOptions> options,
        IReadOnlyList<double> thresholds, int batch)
    {
        return (i, step, row) =>
        {
            var o = options[i];
            if (row >= batch && o.Rows == SteeringRows.Conditional) return 0;
            bool remove = o.Action == SteeringAction.Remove;
            if (o.Mode == SteeringMode.Iti) return step >= 1 ? o.Alpha * (remove ? -1 : 1) : 0;
            int b = row % batch;
            if (step < 1 || (step - 1) % o.Every != 0) return 0;
            double prev = record.Trace.Traits[i].Samples[b].Confidence[step - 1];
            bool open = remove ? prev > thresholds[i] : prev < thresholds[i];
            if (!open) return 0;
            double beta = o.Beta == BetaRule.One ? 1 : remove ? prev : 1 - prev;
            return beta * o.Alpha * (remove ? -1 : 1);
        };
    }

    /// <summary>
    /// Asserts that after − before equals Σ_traits coef(trait, row)·ω·σ·θ at the newest position of every step, and is
    /// exactly zero everywhere else (other positions, heads with ω = 0, rows and steps with coefficient 0).
    /// </summary>
    public static void AssertShifts(HeadCapture before, HeadCapture after, IReadOnlyList<(ProbeSet P, SteeringOptions O)> traits,
        Func<int, int, int, double> coefficient, int layers, double atol = 2e-5)
    {
        var omegas = traits.Select(t => Omega(t.P, t.O)).ToArray();
        foreach (var key in before.Z.Keys)
        {
            var (step, layer) = key;
            var z0 = before.Z[key];
            var z1 = after.Z[key];
            var shape = before.Shape[key];
            long rows = shape[0], t = shape[1], heads = shape[2], d = shape[3];
            for (long r = 0; r < rows; r++)
                for (long pos = 0; pos < t; pos++)
                    for (long h = 0; h < heads; h++)
                        for (long j = 0; j < d; j++)
                        {
                            double expected = 0;
                            if (pos == t - 1)
                                for (int i = 0; i < traits.Count; i++)
                                {
                                    double c = coefficient(i, step, (int)r);
                                    if (c == 0) continue;
                                    int flat = (int)(layer * heads + h);
                                    expected += c * omegas[i][flat] * traits[i].P.Sigma[flat] * traits[i].P.Theta[flat * d + j];
                                }
                            long at = ((r * t + pos) * heads + h) * d + j;
                            double diff = (double)z1[at] - z0[at];
                            if (expected == 0)
                                Assert.True(diff == 0, $"step {step} layer {layer} row {r} pos {pos} head {h} dim {j}: z changed by {diff:E3} where no shift is due");
                            else
                                Assert.True(Math.Abs(diff - expected) <= atol + 1e-5 * Math.Abs(expected),
                                    $"step {step} layer {layer} row {r} pos {pos} head {h} dim {j}: shift {diff:E6}, expected {expected:E6}");
                        }
        }
        Assert.True(before.Z.Count > 0 && before.Z.Count == after.Z.Count, "both captures saw every step and layer");
        Assert.Contains(before.Z.Keys, k => k.Layer == layers - 1);
    }
}
