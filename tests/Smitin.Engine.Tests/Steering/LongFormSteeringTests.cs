using Smitin.Generation;
using Smitin.Probing;
using Smitin.Steering;
using Smitin.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Smitin.Tests.Steering;

/// <summary>
/// Steering over a piece generated window by window: the schedule, the monitor, the gate and its latch run on across
/// windows as in one generation, a window's prefill is never shifted, and the trace is one time axis with the window
/// starts marked. Windows of 25 frames, stride 15, 80 frames: windows of 28, 18, 18, 18, 13 steps (28 is not a
/// multiple of s = 5, so a schedule restarted per window would differ from the continued one).
/// </summary>
public class LongFormSteeringTests(DecoderFixture f) : IClassFixture<DecoderFixture>
{
    static readonly GenerationOptions Windowed = new() { DurationSeconds = 1.6, MaxDurationSeconds = 0.5, ExtendStrideSeconds = 0.3, Seed = 21, TopK = 16 };
    static readonly int[] Starts = [28, 46, 64, 82];
    const int TotalSteps = 95;

    ProbeSet Probes(int seed = 4) =>
        HandBuiltProbes.Random("drums", f.Config.Decoder.NumHiddenLayers, f.Config.Decoder.NumAttentionHeads, f.Config.Decoder.HeadDim, seed, weightScale: 0.6f);

    /// <summary>Global steps at which z changed at the newest position (any layer, any row) between two head hooks
    /// registered before and after the steering session's.</summary>
    sealed class ShiftProbe : IDisposable
    {
        readonly Dictionary<(int Step, int Layer), float[]> _before = [];
        readonly HashSet<int> _changed = [];
        readonly List<IDisposable> _hooks = [];

        public ShiftProbe(Smitin.Models.Decoder.MusicGenLm lm, Func<IDisposable> steer)
        {
            _hooks.Add(lm.AddHeadHook((l, z, ctx) =>
            {
                if (ctx.Generation is { } g) _before[(g.GlobalStep, l)] = Newest(z);
                return null;
            }));
            _hooks.Add(steer());
            _hooks.Add(lm.AddHeadHook((l, z, ctx) =>
            {
                if (ctx.Generation is { } g && !_before[(g.GlobalStep, l)].SequenceEqual(Newest(z))) _changed.Add(g.GlobalStep);
                return null;
            }));
        }

        static float[] Newest(Tensor z)
        {
            using var n = z.select(1, z.shape[1] - 1).contiguous().cpu();                     // (R, H, D)
            return n.data<float>().ToArray();
        }

        public IReadOnlyCollection<int> ChangedSteps => _changed;
        public SteeringRecord? Record { get; set; }

        public void Dispose()
        {
            for (int i = _hooks.Count - 1; i >= 0; i--) _hooks[i].Dispose();
        }
    }

    SteeringRecord Run(InterventionPlan plan, int batch, out IReadOnlyCollection<int> changed)
    {
        SteeringSession? session = null;
        using var probe = new ShiftProbe(f.Lm, () => session = f.Lm.Steer(plan));
        using var result = SteeringTestKit.Generate(f, Windowed, batch: batch);
        Assert.Equal(Starts, result.Plan!.Windows.Skip(1).Select(w => w.FirstStep));
        Assert.Equal(TotalSteps, result.Plan.TotalSteps);
        changed = probe.ChangedSteps.ToArray();
        return Assert.Single(session!.Records);
    }

    [Fact]
    public void TheSmitinScheduleContinuesTheGlobalStepsAndPrefillsAreNotShifted()
    {
        // τ = 1: the gate is open whenever C < 1 (always), β = 1: every scheduled step shifts
        var plan = InterventionPlan.Build(Probes(), new SteeringOptions { Every = 5, Tau = 1, Beta = BetaRule.One, Alpha = 5 });
        var record = Run(plan, batch: 2, out var changed);
        var trace = record.Trace;
        Assert.Equal(TotalSteps, trace.Steps);                                                  // one time axis for the piece
        Assert.Equal(Starts, trace.WindowStarts);

        var expected = Enumerable.Range(1, TotalSteps - 1).Where(t => (t - 1) % 5 == 0 && !Starts.Contains(t)).ToArray();
        Assert.Equal(expected, changed.Order());                                                // measured on z, not on the trace
        Assert.Contains(31, expected);                                                          // window 2 (starts at 28): 31, 36, 41 ...
        Assert.DoesNotContain(29, changed);                                                     // ... not a restarted 28 + 1
        foreach (var s in trace.Traits[0].Samples)
        {
            Assert.Equal(expected, Enumerable.Range(0, trace.Steps).Where(t => s.Shifted[t]));
            foreach (int start in Starts) Assert.False(s.Scheduled[start] || s.GateOpen[start] || s.Beta[start] != 0, $"prefill at {start}");
        }
    }

    [Fact]
    public void ItiShiftsEveryStepButTheWindowsPrefills()
    {
        var plan = InterventionPlan.Build(Probes(), new SteeringOptions { Mode = SteeringMode.Iti, Alpha = 5 });
        Run(plan, batch: 1, out var changed);
        Assert.Equal(Enumerable.Range(1, TotalSteps - 1).Where(t => !Starts.Contains(t)), changed.Order());
    }

    [Fact]
    public void TheFirstGateDecisionOfAWindowUsesThePreviousWindowsLastMonitorValue()
    {
        var plan = InterventionPlan.Build(Probes(), new SteeringOptions { Every = 5, Tau = 0.5, Alpha = 5 });   // β = 1 − C(t−1)
        var record = Run(plan, batch: 2, out _);
        foreach (var s in record.Trace.Traits[0].Samples)
            foreach (int start in Starts)
            {
                float last = s.Confidence[start - 1], prefill = s.Confidence[start];
                Assert.NotEqual(last, prefill);                                                 // the two candidates differ
                Assert.Equal(1 - last, s.Beta[start + 1], 6);
                Assert.Equal(last < 0.5, s.GateOpen[start + 1]);
                Assert.Equal(1 - s.Confidence[start + 1], s.Beta[start + 2], 6);                // then on as usual
            }
    }

    [Fact]
    public void AGateLatchedInTheFirstWindowStaysLatchedInTheNext()
    {
        // the unsteered trajectory (a monitor-only run): C at the decision of every step t >= 1
        var probes = Probes();
        var monitorOnly = Run(InterventionPlan.Monitor([probes]), batch: 1, out var none);
        Assert.Empty(none);
        var c = monitorOnly.Trace.Traits[0].Samples[0].Confidence;
        float Decision(int t) => Starts.Contains(t - 1) ? c[t - 2] : c[t - 1];
        var steps = Enumerable.Range(1, TotalSteps - 1).Where(t => !Starts.Contains(t)).ToArray();
        float minFirst = steps.Where(t => t < Starts[0]).Min(Decision), minLater = steps.Where(t => t > Starts[0]).Min(Decision);
        float maxFirst = steps.Where(t => t < Starts[0]).Max(Decision), maxLater = steps.Where(t => t > Starts[0]).Max(Decision);
        // a threshold that keeps the gate closed through window 1 and would open it later: adding (open while C < τ)
        // if some later C is below all of window 1's, else removing (open while C > τ_remove)
        bool add = minLater < minFirst;
        Assert.True(add || maxLater > maxFirst, "the fixture's monitor must move between windows for this test");
        double tau = add ? (minLater + minFirst) / 2 : (maxLater + maxFirst) / 2;
        SteeringOptions Options(bool latch) => add
            ? new SteeringOptions { Every = 1, Tau = tau, Alpha = 5, LatchGate = latch }
            : new SteeringOptions { Every = 1, Action = SteeringAction.Remove, TauRemove = tau, Alpha = 5, LatchGate = latch };

        var latched = Run(InterventionPlan.Build(probes, Options(true)), batch: 1, out var latchedChanged).Trace.Traits[0].Samples[0];
        var free = Run(InterventionPlan.Build(probes, Options(false)), batch: 1, out _).Trace.Traits[0].Samples[0];
        Assert.Contains(steps.Where(t => t > Starts[0]), t => free.GateOpen[t]);               // unlatched, the gate reopens later
        Assert.DoesNotContain(steps, t => latched.GateOpen[t]);                               // latched, it never does
        Assert.Empty(latchedChanged);
    }
}
