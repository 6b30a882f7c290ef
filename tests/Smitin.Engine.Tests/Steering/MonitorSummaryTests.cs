using Smitin.Steering;

namespace Smitin.Tests.Steering;

public class MonitorSummaryTests
{
    static MonitorSeries Series(int sample, float[] c, bool[] shifted) => new()
    {
        Sample = sample, Confidence = c, Mean = c, Std = new float[c.Length], Min = c, Max = c,
        Scheduled = shifted, GateOpen = shifted, Shifted = shifted, Beta = new float[c.Length],
    };

    static TraitTrace Trace(params MonitorSeries[] samples) => new()
    {
        Trait = "drums", Mode = "smitin", Action = "add", Tau = 0.5, GateThreshold = 0.5, MonitorHeadCount = 4, Samples = samples,
    };

    [Fact]
    public void Summary_covers_every_sample_and_leaves_the_prefill_out_of_the_means()
    {
        // step 0 = prefill (C 0.9 there must not count), steps 1..3 generated
        var a = Series(0, [0.9f, 0.2f, 0.4f, 0.6f], [false, true, false, true]);
        var b = Series(1, [0.9f, 0.6f, 0.6f, 0.6f], [false, false, false, false]);

        var one = MonitorSummary.Of("drums", a);
        Assert.Equal(0.4, one.MeanConfidence, 6);
        Assert.Equal(2 / 3.0, one.ShiftedFraction, 12);
        Assert.Equal((1, 4, 2), (one.Samples, one.Steps, one.ShiftedSteps));

        var all = Trace(a, b).Summarize();
        Assert.Equal([0.6f, 0.6f], all.FinalConfidence);
        Assert.Equal(0.5, all.MeanConfidence, 6);                                // (0.4 + 0.6) / 2: not sample 0 only
        Assert.Equal(2, all.ShiftedSteps);
        Assert.Equal(1 / 3.0, all.ShiftedFraction, 12);
        Assert.Equal("final C [0.600, 0.600], mean C 0.500, shifted at 2 of 4 steps x 2 samples", all.Describe());
    }

    [Fact]
    public void A_trace_with_only_the_prefill_has_no_mean()
    {
        var s = Trace(Series(0, [0.7f], [false])).Summarize();
        Assert.True(double.IsNaN(s.MeanConfidence));
        Assert.Equal(0, s.ShiftedFraction);
        Assert.Equal("final C [0.700], mean C -, shifted at 0 of 1 steps", s.Describe());
    }
}
