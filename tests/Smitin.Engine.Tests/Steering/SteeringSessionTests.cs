using Smitin.Generation;
using Smitin.Probing;
using Smitin.Steering;
using Smitin.Tests.Support;

namespace Smitin.Tests.Steering;

/// <summary>Scoping (hooks removed on success, error and cancellation), records, the gate over a real run, the trace file.</summary>
public class SteeringSessionTests(DecoderFixture f) : IClassFixture<DecoderFixture>
{
    ProbeSet Probes(string trait, int seed, double tau = 0.5) =>
        HandBuiltProbes.Random(trait, f.Config.Decoder.NumHiddenLayers, f.Config.Decoder.NumAttentionHeads, f.Config.Decoder.HeadDim, seed, tau);

    static readonly GenerationOptions Sampled = new() { MaxNewTokens = 10, Seed = 77, TopK = 16 };

    bool AnyHooks() => Enumerable.Range(0, f.Config.Decoder.NumHiddenLayers).Any(l => f.Lm.HeadHookPoint(l).HasHooks);

    [Fact]
    public void HooksAreRemovedWhenGenerationThrowsOrIsCancelledAndNothingLeaksIntoTheNextRun()
    {
        var plan = InterventionPlan.Build(Probes("drums", 1), new SteeringOptions { Mode = SteeringMode.Iti, Alpha = 20 });
        using var plain = SteeringTestKit.Generate(f, Sampled);

        // an exception from inside the loop (the progress callback runs after every step)
        var boom = new Progress(step => { if (step == 3) throw new InvalidOperationException("boom"); });
        Assert.Throws<InvalidOperationException>(() => SteeringTestKit.Generate(f, Sampled with { Steering = plan }, progress: boom));
        Assert.False(AnyHooks());
        Assert.Null(SteeringSession.ActiveOn(f.Lm));

        // cancellation part-way
        using var cts = new CancellationTokenSource();
        var cancel = new Progress(step => { if (step == 2) cts.Cancel(); });
        Assert.ThrowsAny<OperationCanceledException>(() => SteeringTestKit.Generate(f, Sampled with { Steering = plan }, progress: cancel, ct: cts.Token));
        Assert.False(AnyHooks());

        // the scoped form, same two failures
        using (var session = f.Lm.Steer(plan))
        {
            Assert.True(AnyHooks());
            Assert.Throws<InvalidOperationException>(() => SteeringTestKit.Generate(f, Sampled, progress: boom));
            Assert.Empty(session.Records);                                   // an abandoned run leaves no record
        }
        Assert.False(AnyHooks());
        using var cts2 = new CancellationTokenSource();
        try
        {
            using var session = f.Lm.Steer(plan);
            SteeringTestKit.Generate(f, Sampled, progress: new Progress(step => { if (step == 1) cts2.Cancel(); }), ct: cts2.Token);
        }
        catch (OperationCanceledException) { }
        Assert.False(AnyHooks());
        Assert.Null(SteeringSession.ActiveOn(f.Lm));

        using var again = SteeringTestKit.Generate(f, Sampled);
        TensorAssert.Equal(plain.Codes, again.Codes, "codes after failed steered runs");
    }

    [Fact]
    public void AScopedSessionRecordsEveryGenerationAndRefusesASecondPlan()
    {
        var plan = InterventionPlan.Build(Probes("drums", 2), new SteeringOptions { Every = 2 });
        using (var session = f.Lm.Steer(plan))
        {
            Assert.Same(session, SteeringSession.ActiveOn(f.Lm));
            Assert.Throws<SmitinException>(() => f.Lm.Steer(plan));
            Assert.Throws<SmitinException>(() => SteeringTestKit.Generate(f, Sampled with { Steering = plan }));
            using var first = SteeringTestKit.Generate(f, Sampled);
            using var second = SteeringTestKit.Generate(f, Sampled with { GuidanceScale = 1 }, batch: 1);
            Assert.Equal(2, session.Records.Count);
            Assert.Same(session.Records[0], first.Steering);
            Assert.Same(session.Records[1], second.Steering);
            Assert.Equal((2, 10), (first.Steering!.Trace.BatchSize, first.Steering.Trace.Steps));
            Assert.Equal(1, second.Steering!.Trace.BatchSize);              // no guidance: B rows, all monitored
        }
        Assert.Null(SteeringSession.ActiveOn(f.Lm));
        var wrong = InterventionPlan.Build(HandBuiltProbes.Random("x", 3, 4, 8, 1));
        Assert.Contains("3 layers", Assert.Throws<SmitinException>(() => f.Lm.Steer(wrong)).Message);
    }

    [Fact]
    public void OverARealRunTheGateFollowsTauAndEachSampleHasItsOwnState()
    {
        var p = Probes("drums", 3);
        var greedy = new GenerationOptions { Greedy = true, MaxNewTokens = 16 };
        using var watch = SteeringTestKit.Generate(f, greedy with { Steering = InterventionPlan.Monitor([p]) });
        var watched = watch.Steering!.Trace.Traits[0].Samples;
        var all = watched.SelectMany(s => s.Confidence.Skip(1)).OrderBy(x => x).ToArray();
        // free gate: the median of the run; latched gate: open at the start of sample 0, closing later on
        double free = all[all.Length / 2], latched = (watched[0].Confidence[0] + watched[0].Confidence.Max()) / 2;
        Assert.True(watched[0].Confidence.Max() > watched[0].Confidence[0] + 1e-3, "the fixture's monitor moves over the run");
        foreach (bool latch in new[] { false, true })
        {
            double tau = latch ? latched : free;
            var o = new SteeringOptions { Every = 1, Alpha = 0.01, Tau = tau, LatchGate = latch };
            using var run = SteeringTestKit.Generate(f, greedy with { Steering = InterventionPlan.Build(p, o) });
            var samples = run.Steering!.Trace.Traits[0].Samples;
            var opens = new List<bool>();
            foreach (var s in samples)
            {
                bool closedBefore = false;
                for (int t = 1; t < s.Confidence.Length; t++)
                {
                    bool expected = s.Confidence[t - 1] < tau && !(latch && closedBefore);
                    closedBefore |= s.Confidence[t - 1] >= tau;
                    Assert.Equal(expected, s.GateOpen[t]);
                    Assert.Equal(expected, s.Shifted[t]);
                    Assert.Equal(1 - s.Confidence[t - 1], s.Beta[t], 6);
                    opens.Add(s.GateOpen[t]);
                }
            }
            Assert.Contains(true, opens);
            Assert.Contains(false, opens);
            Assert.False(samples[0].GateOpen.SequenceEqual(samples[1].GateOpen), "two samples, two gates");
        }
    }

    [Fact]
    public void TheRecordRoundTripsThroughJsonWithEveryKnobAndStatistic()
    {
        var drums = Probes("drums", 4);
        var bass = Probes("bass", 5);
        var plan = InterventionPlan.Build([(drums, new SteeringOptions()), (bass, new SteeringOptions { Action = SteeringAction.Remove, Mode = SteeringMode.Iti })]);
        using var result = SteeringTestKit.Generate(f, Sampled with { Steering = plan });
        using var dir = new TempDir();
        string path = dir.File("trace.json");
        result.Steering!.Save(path);
        string json = File.ReadAllText(path);
        foreach (var key in new[] { "\"monitor_only\"", "\"plan\"", "\"trace\"", "\"confidence\"", "\"std\"", "\"gate_open\"", "\"shifted\"", "\"beta\"",
            "\"alpha\"", "\"every\"", "\"soft_weight_exponent\"", "\"monitor_heads\"", "\"top_k_heads\"", "\"tau\"", "\"direction\"", "\"rows\"", "\"monitor_timing\"", "\"head_weights\"" })
            Assert.Contains(key, json);
        var back = SteeringRecord.FromJson(json);
        Assert.Equal(["drums", "bass"], back.Plan.Select(t => t.Trait));
        Assert.Equal(("remove", "iti", -1), (back.Plan[1].Action, back.Plan[1].Mode, back.Plan[1].Sign));
        var s0 = result.Steering.Trace.Traits[1].Samples[1];
        var s1 = back.Trace.Traits[1].Samples[1];
        Assert.Equal(s0.Confidence, s1.Confidence);
        Assert.Equal(s0.Shifted, s1.Shifted);
        Assert.Equal(s0.Std, s1.Std);
    }

    [Fact]
    public void SteeredGenerationsLeaveNoTensorBehind()
    {
        var plan = InterventionPlan.Build([(Probes("drums", 6), new SteeringOptions { Every = 1, Tau = 1 }),
            (Probes("bass", 7), new SteeringOptions { Mode = SteeringMode.Iti })]);
        void Once() { using var r = SteeringTestKit.Generate(f, Sampled with { Steering = plan }); }
        Once();                                                                              // warm-up
        long live = TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        for (int i = 0; i < 5; i++) Once();
        using (f.Lm.Steer(plan))
        {
            using var r = SteeringTestKit.Generate(f, Sampled);
            Assert.Throws<InvalidOperationException>(() => SteeringTestKit.Generate(f, Sampled,
                progress: new Progress(step => { if (step == 4) throw new InvalidOperationException("boom"); })));
        }
        Assert.Equal(live, TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    sealed class Progress(Action<int> onStep) : IProgress<GenerationProgress>
    {
        public void Report(GenerationProgress value) => onStep(value.Step);
    }
}
