using Smitin.Generation;
using Smitin.Probing;
using Smitin.Steering;
using Smitin.Tests.Support;

namespace Smitin.Tests.Steering;

/// <summary>
/// The shift of docs/method.md §4.2 on the fixture decoder with hand-built probe sets: z is captured before and after the
/// steering hook at every layer and step, and after − before must equal β·α·ω·σ·θ (summed over traits) at the newest
/// position on exactly the heads, rows and steps the plan selects, and be exactly 0 everywhere else.
/// </summary>
public class SteeringMathTests(DecoderFixture f) : IClassFixture<DecoderFixture>
{
    int L => f.Config.Decoder.NumHiddenLayers;
    int H => f.Config.Decoder.NumAttentionHeads;
    int D => f.Config.Decoder.HeadDim;

    ProbeSet Probes(string trait, int seed, double tau = 0.5) => HandBuiltProbes.Random(trait, L, H, D, seed, tau);

    /// <summary>Runs a steered generation with a "before" capture registered ahead of the steering hook and an "after" one behind it.</summary>
    (GenerationResult Result, HeadCapture Before, HeadCapture After) Run(InterventionPlan plan, GenerationOptions options,
        int batch = 2, bool continuation = false)
    {
        var before = new HeadCapture(f.Lm);
        var session = f.Lm.Steer(plan);
        var after = new HeadCapture(f.Lm);
        try
        {
            var result = SteeringTestKit.Generate(f, options, batch, continuation);
            return (result, before, after);
        }
        finally
        {
            after.Dispose(); session.Dispose(); before.Dispose();
        }
    }

    static GenerationOptions Greedy(int steps, double guidance = 3) => new() { Greedy = true, MaxNewTokens = steps, GuidanceScale = guidance };

    void AssertMonitor(SteeringRecord record, int trait, ProbeSet p, HeadCapture before, int batch, int steps) =>
        SteeringTestKit.AssertMonitor(record, trait, p, before, batch, steps, Math.Min(16, L * H));

    static Func<int, int, int, double> SmitinCoefficient(SteeringRecord record, IReadOnlyList<SteeringOptions> options,
        IReadOnlyList<double> thresholds, int batch) => SteeringTestKit.Coefficient(record, options, thresholds, batch);

    [Fact]
    public void SmitinShiftEqualsBetaAlphaOmegaSigmaThetaOnScheduledStepsOnly()
    {
        var p = Probes("drums", 1, tau: 0.999);                 // gate open throughout: the schedule alone decides
        var o = new SteeringOptions { Alpha = 2, Every = 3 };
        int steps = 10, batch = 2;
        var (result, before, after) = Run(InterventionPlan.Build(p, o), Greedy(steps), batch);
        using (result)
        {
            var record = result.Steering!;
            AssertMonitor(record, 0, p, before, batch, steps);
            SteeringTestKit.AssertShifts(before, after, [(p, o)], SmitinCoefficient(record, [o], [0.999], batch), L);
            var s = record.Trace.Traits[0].Samples[0];
            Assert.Equal([false, true, false, false, true, false, false, true, false, false], s.Shifted);
            Assert.Equal(steps, record.Trace.Steps);
        }
    }

    [Fact]
    public void ItiShiftsTheTopKHeadsWithUnitWeightEveryGeneratedStep()
    {
        var p = Probes("drums", 2, tau: 0.0);                   // τ = 0 would close a SMITIN gate: ITI has none
        var o = new SteeringOptions { Mode = SteeringMode.Iti, Alpha = 3, TopKHeads = 3 };
        int steps = 6, batch = 2;
        var (result, before, after) = Run(InterventionPlan.Build(p, o), Greedy(steps), batch);
        using (result)
        {
            SteeringTestKit.AssertShifts(before, after, [(p, o)], (_, step, _) => step >= 1 ? 3.0 : 0, L);
            var s = result.Steering!.Trace.Traits[0].Samples[1];
            Assert.Equal(Enumerable.Range(0, steps).Select(t => t >= 1).ToArray(), s.Shifted);
            Assert.All(s.Beta.Skip(1), beta => Assert.Equal(1f, beta));
            Assert.Equal(3, result.Steering.Plan[0].HeadWeights.Active);
        }
    }

    [Fact]
    public void ThePromptPrefillIsNeverShiftedEvenWithItiOnEveryStep()
    {
        var p = Probes("drums", 3);
        var o = new SteeringOptions { Mode = SteeringMode.Iti, Alpha = 4, TopKHeads = 8 };
        var (result, before, after) = Run(InterventionPlan.Build(p, o), Greedy(5), batch: 1, continuation: true);
        using (result)
        {
            Assert.True(before.Shape[(0, 0)][1] > 1, "step 0 runs the whole prompt prefix");
            for (int l = 0; l < L; l++) Assert.Equal(before.Z[(0, l)], after.Z[(0, l)]);      // bit-identical prefill
            AssertMonitor(result.Steering!, 0, p, before, 1, 5);                                  // C(0) read at the last prompt column
            SteeringTestKit.AssertShifts(before, after, [(p, o)], (_, step, _) => step >= 1 ? 4.0 : 0, L);
        }
    }

    [Fact]
    public void ConditionalRowsOptionLeavesTheUnconditionalRowsUntouched()
    {
        var p = Probes("drums", 4, tau: 0.999);
        var o = new SteeringOptions { Alpha = 2, Every = 1, Rows = SteeringRows.Conditional, Beta = BetaRule.One };
        int batch = 2;
        var (result, before, after) = Run(InterventionPlan.Build(p, o), Greedy(6), batch);
        using (result)
        {
            SteeringTestKit.AssertShifts(before, after, [(p, o)], SmitinCoefficient(result.Steering!, [o], [0.999], batch), L);
            Assert.Equal("cond", result.Steering!.Plan[0].Rows);
        }
    }

    [Fact]
    public void RemovalShiftsAlongMinusThetaWhileTheMonitorIsAboveTauRemove()
    {
        var p = Probes("bass", 5);
        // τ_remove = 1 − τ by default; pick τ so that the gate both opens and closes on this run
        var monitorOnly = SteeringTestKit.Generate(f, Greedy(12) with { Steering = InterventionPlan.Monitor([p]) }, 2);
        var cs = monitorOnly.Steering!.Trace.Traits[0].Samples.SelectMany(s => s.Confidence).OrderBy(x => x).ToArray();
        monitorOnly.Dispose();
        double tauRemove = (cs[cs.Length / 2 - 1] + cs[cs.Length / 2]) / 2;
        var o = new SteeringOptions { Action = SteeringAction.Remove, Alpha = 0.05, Every = 1, Tau = 1 - tauRemove };
        var (result, before, after) = Run(InterventionPlan.Build(p, o), Greedy(12), 2);
        using (result)
        {
            var record = result.Steering!;
            Assert.Equal(-1, record.Plan[0].Sign);
            Assert.Equal(1 - o.Tau!.Value, record.Plan[0].GateThreshold!.Value, 12);
            AssertMonitor(record, 0, p, before, 2, 12);
            SteeringTestKit.AssertShifts(before, after, [(p, o)], SmitinCoefficient(record, [o], [1 - o.Tau.Value], 2), L);
            var gates = record.Trace.Traits[0].Samples.SelectMany(s => s.GateOpen.Skip(1)).ToArray();
            Assert.Contains(true, gates);
            Assert.Contains(false, gates);
        }
    }

    [Fact]
    public void TwoTraitsAddUpEachWithItsOwnMonitorAndGate()
    {
        var drums = Probes("drums", 6, tau: 0.999);
        var bass = Probes("bass", 7);
        var od = new SteeringOptions { Alpha = 1.5, Every = 2 };
        var ob = new SteeringOptions { Action = SteeringAction.Remove, Alpha = 1, Every = 1, TauRemove = 0.0 }; // C > 0: open
        int batch = 2;
        var plan = InterventionPlan.Build([(drums, od), (bass, ob)]);
        var (result, before, after) = Run(plan, Greedy(7), batch);
        using (result)
        {
            var record = result.Steering!;
            Assert.Equal(["drums", "bass"], record.Trace.Traits.Select(t => t.Trait));
            AssertMonitor(record, 0, drums, before, batch, 7);
            AssertMonitor(record, 1, bass, before, batch, 7);
            SteeringTestKit.AssertShifts(before, after, [(drums, od), (bass, ob)],
                SmitinCoefficient(record, [od, ob], [0.999, 0.0], batch), L);
        }
    }

    [Fact]
    public void AlphaZeroAClosedGateAndMonitorOnlyGiveCodesBitIdenticalToNoSteering()
    {
        var p = Probes("drums", 8);
        var sampled = new GenerationOptions { MaxNewTokens = 12, Seed = 1234, TopK = 20 };
        using var plain = SteeringTestKit.Generate(f, sampled, 2);
        Assert.Null(plain.Steering);
        var plans = new[]
        {
            InterventionPlan.Build(p, new SteeringOptions { Alpha = 0, Every = 1 }),
            InterventionPlan.Build(p, new SteeringOptions { Mode = SteeringMode.Iti, Alpha = 0 }),
            InterventionPlan.Build(p, new SteeringOptions { Alpha = 10, Every = 1, Tau = 0 }),                 // C < 0 never
            InterventionPlan.Build(p, new SteeringOptions { Alpha = 10, Every = 1, Action = SteeringAction.Remove, TauRemove = 1 }), // C > 1 never
            InterventionPlan.Monitor([p]),
        };
        foreach (var plan in plans)
        {
            using var steered = SteeringTestKit.Generate(f, sampled with { Steering = plan }, 2);
            TensorAssert.Equal(plain.Codes, steered.Codes, "codes");
            Assert.All(steered.Steering!.Trace.Traits[0].Samples, s => Assert.DoesNotContain(true, s.Shifted));
        }
        // and a real shift does change them (the comparison above can fail)
        using var moved = SteeringTestKit.Generate(f, sampled with { Steering = InterventionPlan.Build(p, new SteeringOptions { Mode = SteeringMode.Iti, Alpha = 20, TopKHeads = 8 }) }, 2);
        Assert.False(plain.Codes.equal(moved.Codes).all().item<bool>(), "ITI at alpha 20 should change the codes");
    }
}
