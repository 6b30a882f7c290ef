using Smitin.Probing;

namespace Smitin.Tests.Probing;

/// <summary>Activations of the planted-trait pairs on the fixture model, captured once for the class.</summary>
public sealed class PlantedActivations : IDisposable
{
    public FixtureModel Fixture { get; } = new();
    public ActivationSet Train { get; }
    public ActivationSet Validation { get; }

    public PlantedActivations()
    {
        // 160 tracks, 3 s (the paper's segment length), 30 % of the tracks held out: 224 train / 96 validation segments.
        var (train, val) = PlantedTrait.Pairs(160, 3.0, 0.3, seed: 1);
        var capture = new ActivationCapture(Fixture.Model, CaptureOptions.Uncached);
        Train = capture.Capture(train);
        Validation = capture.Capture(val);
    }

    public void Dispose() => Fixture.Dispose();
}

/// <summary>
/// Probes on the fixture model find a trait planted in the audio, and sit at chance when the labels are shuffled.
/// Thresholds: with V = 96 validation segments a head's accuracy has a binomial standard error of at most
/// 0.5/√96 = 0.051. The planted bounds (best ≥ 0.88, mean ≥ 0.75) sit ≥ 5 standard errors above chance (measured: best
/// 0.93, mean 0.85); the shuffled bounds (mean within 0.5 ± 0.12, every head ≤ 0.68) are 2.4 and 3.5 standard
/// errors (measured: mean 0.485, max 0.53), far below the planted values; the data are deterministic.
/// </summary>
public sealed class PlantedTraitProbeTests(PlantedActivations data, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<PlantedActivations>
{
    [Fact]
    public void ProbesFindThePlantedTrait()
    {
        Assert.Equal(224, data.Train.Count);
        Assert.Equal(96, data.Validation.Count);
        var fits = ProbeFitter.Fit(data.Train, data.Validation);
        float best = fits.ValidationAccuracy.Max(), mean = fits.ValidationAccuracy.Average();
        output.WriteLine($"planted: validation accuracy {Describe(fits.ValidationAccuracy)}; train {Describe(fits.TrainAccuracy)}");
        Assert.True(best >= 0.88f, $"best validation accuracy {best:F3} < 0.88: {Describe(fits.ValidationAccuracy)}");
        Assert.True(mean >= 0.75f, $"mean validation accuracy {mean:F3} < 0.75: {Describe(fits.ValidationAccuracy)}");
    }

    [Fact]
    public void ShuffledLabelsSitAtChance()
    {
        var all = ActivationSet.Concat(data.Train, data.Validation);
        var rng = new Random(12345);
        var shuffled = all.Labels.OrderBy(_ => rng.Next()).ToArray();
        var relabelled = all.WithLabels(shuffled);
        var train = relabelled.Subset(Enumerable.Range(0, data.Train.Count).ToArray());
        var val = relabelled.Subset(Enumerable.Range(data.Train.Count, data.Validation.Count).ToArray());
        Assert.InRange(val.PositiveCount, 30, 66); // a shuffle keeps both classes in the validation split

        var fits = ProbeFitter.Fit(train, val);
        float mean = fits.ValidationAccuracy.Average(), max = fits.ValidationAccuracy.Max();
        output.WriteLine($"shuffled: validation accuracy {Describe(fits.ValidationAccuracy)}");
        Assert.True(Math.Abs(mean - 0.5) <= 0.12, $"mean validation accuracy {mean:F3} with shuffled labels: {Describe(fits.ValidationAccuracy)}");
        Assert.True(max <= 0.68f, $"a head reached {max:F3} with shuffled labels: {Describe(fits.ValidationAccuracy)}");
    }

    [Fact]
    public void TrainerBuildsAProbeSetWithProvenance()
    {
        var model = ProbeModelIdentity.Of(data.Fixture.Model);
        var set = ProbeTrainer.Train("tone", model, data.Train, data.Validation, new ProbeProvenance { Source = "planted", SegmentSeconds = 3, SplitSeed = 1, ValidationFraction = 0.3 },
            new ProbeTrainerOptions { ProbeSet = new ProbeSetOptions { Direction = ProbeDirection.MassMean } });
        Assert.Equal((2, 4, 8), (set.Layers, set.Heads, set.HeadDim));
        Assert.Equal((112, 112, 48, 48), (set.Provenance.TrainPositive, set.Provenance.TrainNegative, set.Provenance.ValidationPositive, set.Provenance.ValidationNegative));
        Assert.Equal(8, set.MonitorHeadIndices.Length); // M = 16 capped at the 8 heads of the fixture
        Assert.Equal(ProbeDirection.MassMean, set.Direction);
        Assert.Equal(data.Fixture.Model.Identity, set.Model.Identity);
        // the most accurate head's mass-mean direction separates the classes: θᵀz is larger with the trait on average
        var best = set.BestHeads(1)[0];
        var all = ActivationSet.Concat(data.Train, data.Validation);
        double pos = 0, neg = 0;
        for (int n = 0; n < all.Count; n++)
        {
            double p = ProbeAccuracy.Score(set.ThetaAt(best.Layer, best.Head), 0, all.Get(n, best.Layer, best.Head));
            if (all.Labels[n]) pos += p / all.PositiveCount; else neg += p / all.NegativeCount;
        }
        Assert.True(pos - neg > set.Sigma[best.Layer * set.Heads + best.Head], $"projection gap {pos - neg:G3} vs σ {set.Sigma[best.Layer * set.Heads + best.Head]:G3}");
    }

    static string Describe(float[] acc) => string.Join(" ", acc.Select(a => a.ToString("F2")));
}
