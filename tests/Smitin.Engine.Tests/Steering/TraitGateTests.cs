using Smitin.Probing;
using Smitin.Steering;

namespace Smitin.Tests.Steering;

/// <summary>The schedule, gate and β rules of §4 on the host side, and plan resolution (no model needed).</summary>
public class TraitGateTests
{
    static readonly ProbeSet Probes = HandBuiltProbes.Random("drums", 2, 4, 8, seed: 11, tau: 0.6);

    static TraitGate Gate(SteeringOptions o, int batch = 1, bool monitorOnly = false) =>
        new(TraitIntervention.Resolve(Probes, o), batch, monitorOnly);

    [Fact]
    public void SmitinShiftsEverySthGeneratedStepWhileTheMonitorIsBelowTau()
    {
        var gate = Gate(new SteeringOptions { Every = 3, Alpha = 5 });
        Assert.Equal(new GateDecision(false, false, 0, 0), gate.Decide(0, 0));       // prefill
        // C(t−1) per step: below, below, ABOVE, below, ...
        float[] c = [0.2f, 0.3f, 0.7f, 0.4f, 0.5f, 0.61f, 0.6f, 0.1f];
        var shifted = new List<int>();
        for (int t = 1; t <= c.Length; t++)
        {
            gate.Observe(0, c[t - 1]);
            var d = gate.Decide(t, 0);
            Assert.Equal((t - 1) % 3 == 0, d.Scheduled);
            Assert.Equal(c[t - 1] < 0.6f, d.GateOpen);                                 // g = 1 while C < τ, 0 once C ≥ τ
            Assert.Equal(1 - c[t - 1], d.Beta, 6);
            if (d.Coefficient != 0)
            {
                shifted.Add(t);
                Assert.Equal(5 * (1 - c[t - 1]), d.Coefficient, 5);
            }
        }
        Assert.Equal([1, 4], shifted);                                                  // 7: C(6) = 0.6 ≥ τ → closed
        var late = Gate(new SteeringOptions { Every = 3 });
        late.Observe(0, 0.59f);
        Assert.True(late.Decide(7, 0).Coefficient > 0);                                 // … and open just below τ
    }

    [Fact]
    public void TheGateReopensUnlessLatched()
    {
        var free = Gate(new SteeringOptions { Every = 1 });
        var latched = Gate(new SteeringOptions { Every = 1, LatchGate = true });
        float[] c = [0.1f, 0.9f, 0.1f, 0.1f];
        var freeOpen = new List<bool>();
        var latchedOpen = new List<bool>();
        for (int t = 1; t <= c.Length; t++)
        {
            free.Observe(0, c[t - 1]); latched.Observe(0, c[t - 1]);
            freeOpen.Add(free.Decide(t, 0).GateOpen);
            latchedOpen.Add(latched.Decide(t, 0).GateOpen);
        }
        Assert.Equal([true, false, true, true], freeOpen);
        Assert.Equal([true, false, false, false], latchedOpen);
    }

    [Fact]
    public void RemovalInvertsTheGateAndUsesCAsBetaWithTauRemoveOneMinusTau()
    {
        var t = TraitIntervention.Resolve(Probes, new SteeringOptions { Action = SteeringAction.Remove, Every = 1, Alpha = 2 });
        Assert.Equal(-1, t.Sign);
        Assert.Equal(1 - 0.6, t.GateThreshold, 12);
        var gate = new TraitGate(t, 1, monitorOnly: false);
        gate.Observe(0, 0.9f);
        var open = gate.Decide(1, 0);
        Assert.True(open.GateOpen);
        Assert.Equal(0.9f, open.Beta, 6);
        Assert.Equal(-2 * 0.9f, open.Coefficient, 5);
        gate.Observe(0, 0.3f);                                                           // C ≤ τ_remove = 0.4: trait gone
        Assert.Equal(0, gate.Decide(2, 0).Coefficient);
        var given = TraitIntervention.Resolve(Probes, new SteeringOptions { Action = SteeringAction.Remove, TauRemove = 0.25 });
        Assert.Equal(0.25, given.GateThreshold);
        Assert.Contains("tau_remove = 1 - tau", t.Describe().Gate);
        Assert.Contains("tau_remove = given", given.Describe().Gate);
    }

    [Fact]
    public void ItiIgnoresTheGateAndBetaAndMonitorOnlyNeverShifts()
    {
        var iti = Gate(new SteeringOptions { Mode = SteeringMode.Iti, Alpha = 7, Every = 5, Tau = 0 });
        var monitor = Gate(new SteeringOptions { Every = 1, Tau = 1 }, monitorOnly: true);
        for (int t = 1; t < 6; t++)
        {
            iti.Observe(0, 0.99f); monitor.Observe(0, 0.2f);
            Assert.Equal(new GateDecision(true, true, 1, 7), iti.Decide(t, 0));
            var m = monitor.Decide(t, 0);
            Assert.True(m.GateOpen);
            Assert.Equal(0, m.Coefficient);
        }
    }

    [Fact]
    public void BeforeAnyMonitorValueTheSmitinGateIsClosedAndBetaOneIsConstant()
    {
        var gate = Gate(new SteeringOptions { Every = 1, Beta = BetaRule.One, Alpha = 5 }, batch: 2);
        Assert.False(gate.Decide(1, 0).GateOpen);                                      // C = NaN
        gate.Observe(1, 0.1f);
        Assert.False(gate.Decide(1, 0).GateOpen);                                      // per-sample state
        Assert.Equal(new GateDecision(true, true, 1, 5), gate.Decide(1, 1));
    }

    [Fact]
    public void PlanResolutionPicksWeightsMonitorHeadsAndRecordsEveryKnob()
    {
        var smitin = TraitIntervention.Resolve(Probes, new SteeringOptions { SoftWeightExponent = 2, MonitorHeadCount = 3 });
        var a = Probes.Accuracy;
        float min = a.Min(), max = a.Max();
        for (int i = 0; i < a.Length; i++)
            Assert.Equal(Math.Pow((a[i] - min) / (max - min), 2), smitin.HeadWeights[i], 5);
        Assert.Equal(Enumerable.Range(0, a.Length).OrderByDescending(i => a[i]).Take(3), smitin.MonitorHeadIndices);
        for (int i = 0; i < a.Length * 8; i++)
            Assert.Equal(Probes.Sigma[i / 8] * Probes.Theta[i], smitin.ScaledDirections[i], 6);

        var iti = TraitIntervention.Resolve(Probes, new SteeringOptions { Mode = SteeringMode.Iti, TopKHeads = 100 });
        Assert.Equal(8, iti.Options.TopKHeads);                                          // capped at L·H
        Assert.All(iti.HeadWeights, w => Assert.Equal(1f, w));

        var s = smitin.Describe();
        Assert.Equal(("smitin", "add", 10.0, 5, 2.0, 3, "probe", "both"),
            (s.Mode, s.Action, s.Alpha, s.Every, s.SoftWeightExponent!.Value, s.MonitorHeadCount, s.Direction, s.Rows));
        Assert.Equal("probe-set", s.TauSource);
        Assert.Equal(0.6, s.Tau);
        Assert.Equal("one-minus-c", s.Beta);
        Assert.StartsWith("previous-step", s.MonitorTiming);
        Assert.Equal("one", iti.Describe().Beta);
        Assert.Null(iti.Describe().GateThreshold);
        Assert.Equal("given", TraitIntervention.Resolve(Probes, new SteeringOptions { Tau = 0.3 }).Describe().TauSource);
    }

    [Fact]
    public void DefaultsAreThePapersAndTheResolvedPlanRecordsThem()
    {
        var o = new SteeringOptions();
        // p and M are chosen when probing (ProbeSetOptions: the paper's 3 and 16); steering takes the probe set's.
        // α 10: the paper's text-to-music value, the one that meets issue 12 on the default model (SteeringOptions.Alpha)
        Assert.Equal((SteeringMode.Smitin, SteeringAction.Add, 10.0, 5, (double?)null, (int?)null, 48, BetaRule.OneMinusC, SteeringRows.Both),
            (o.Mode, o.Action, o.Alpha, o.Every, o.SoftWeightExponent, o.MonitorHeadCount, o.TopKHeads, o.Beta, o.Rows));
        Assert.Equal((3.0, 16, ProbeDirection.MassMean), (new ProbeSetOptions().SoftWeightExponent, new ProbeSetOptions().MonitorHeadCount, new ProbeSetOptions().Direction));
        var s = TraitIntervention.Resolve(Probes, o).Describe();
        Assert.Equal((10.0, 5, Probes.SoftWeightExponent), (s.Alpha, s.Every, s.SoftWeightExponent!.Value));
        Assert.Equal((Probes.MonitorHeadIndices.Length, "probe-set", "probe-set"), (s.MonitorHeadCount, s.MonitorHeadCountSource, s.SoftWeightExponentSource));
        Assert.Equal(0.6, s.Tau);                                                        // the probe set's τ
        var given = TraitIntervention.Resolve(Probes, o with { MonitorHeadCount = 3, SoftWeightExponent = 2 }).Describe();
        Assert.Equal((3, "given", 2.0, "given"), (given.MonitorHeadCount, given.MonitorHeadCountSource, given.SoftWeightExponent!.Value, given.SoftWeightExponentSource));
    }

    [Fact]
    public void BadOptionsAndMismatchedDirectionsAreRefusedByName()
    {
        Assert.Contains("alpha", Assert.ThrowsAny<SmitinException>(() => TraitIntervention.Resolve(Probes, new SteeringOptions { Alpha = -1 })).Message);
        Assert.Contains("every", Assert.ThrowsAny<SmitinException>(() => TraitIntervention.Resolve(Probes, new SteeringOptions { Every = 0 })).Message);
        Assert.Contains("tau", Assert.ThrowsAny<SmitinException>(() => TraitIntervention.Resolve(Probes, new SteeringOptions { Tau = 1.5 })).Message);
        Assert.Contains("mass-mean", Assert.ThrowsAny<SmitinException>(() =>
            TraitIntervention.Resolve(Probes, new SteeringOptions { Direction = ProbeDirection.MassMean })).Message);
        var other = HandBuiltProbes.Random("bass", 3, 4, 8, seed: 1);
        Assert.Contains("different models", Assert.ThrowsAny<SmitinException>(() => InterventionPlan.Build([Probes, other])).Message);
    }

    [Fact]
    public void MonitorStatisticsUseNumpysMedianAndThePopulationStd()
    {
        var scratch = new float[4];
        var even = MonitorStatistics.Of([0.9f, 0.1f, 0.4f, 0.2f], scratch);
        Assert.Equal(0.3f, even.Median, 6);
        Assert.Equal(0.4f, even.Mean, 6);
        Assert.Equal(Math.Sqrt((0.25 + 0.09 + 0 + 0.04) / 4), even.Std, 5);
        Assert.Equal((0.1f, 0.9f), (even.Min, even.Max));
        Assert.Equal(0.4f, MonitorStatistics.Of([0.9f, 0.1f, 0.4f], scratch).Median);
    }
}
