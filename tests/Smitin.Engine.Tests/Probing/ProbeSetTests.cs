using Smitin.Probing;

namespace Smitin.Tests.Probing;

public class ProbeSetTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("smitin-probeset-").FullName;
    public void Dispose() => Directory.Delete(_dir, true);

    static readonly ProbeModelIdentity Model = new("0123456789abcdef", "fedcba9876543210", 2, 3, 4);

    /// <summary>(N, 2, 3, 4) activations; head (l, h) separates the classes along axis h with strength l + h.</summary>
    internal static ActivationSet Planted(int n, int seed)
    {
        var rng = new Random(seed);
        double Gauss() => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
        var labels = Enumerable.Range(0, n).Select(i => i % 2 == 0).ToArray();
        var values = new float[n * 2 * 3 * 4];
        for (int i = 0; i < n; i++)
            for (int l = 0; l < 2; l++)
                for (int h = 0; h < 3; h++)
                    for (int j = 0; j < 4; j++)
                        values[((i * 2 + l) * 3 + h) * 4 + j] = (float)(Gauss() + (j == h ? (labels[i] ? 0.5 : -0.5) * (l + h) : 0.3));
        return new ActivationSet(values, labels, 2, 3, 4);
    }

    static ProbeSet Make(ProbeSetOptions? options = null)
    {
        var all = Planted(600, 1);
        var train = all.Subset(Enumerable.Range(0, 450).ToArray());
        var val = all.Subset(Enumerable.Range(450, 150).ToArray());
        var training = new ProbeTrainingOptions();
        var fits = ProbeFitter.Fit(train, val, training);
        var prov = new ProbeProvenance
        {
            Source = "synthetic", SegmentSeconds = 3, SplitSeed = 5, ValidationFraction = 0.25,
            TrainPositive = train.PositiveCount, TrainNegative = train.NegativeCount,
            ValidationPositive = val.PositiveCount, ValidationNegative = val.NegativeCount,
        };
        return ProbeSet.Build("drums", Model, prov, fits, all, training, options ?? new ProbeSetOptions { MonitorHeadCount = 4 });
    }

    [Fact]
    public void DerivedQuantitiesFollowTheMethodNote()
    {
        var set = Make(new ProbeSetOptions { Direction = ProbeDirection.ProbeWeight, MonitorHeadCount = 4 });
        var all = Planted(600, 1);
        Assert.Equal(6, set.Accuracy.Length);
        // θ = w/|w| (the probe-weight direction; the default mass-mean is the next test's)
        for (int i = 0; i < 6; i++)
        {
            var w = set.Weights.AsSpan(i * 4, 4);
            double norm = Math.Sqrt(w.ToArray().Sum(v => (double)v * v));
            for (int j = 0; j < 4; j++) Assert.Equal(w[j] / norm, set.Theta[i * 4 + j], 6);
        }
        // σ = population std of θᵀz over all 600 segments, recomputed naively
        for (int i = 0; i < 6; i++)
        {
            var proj = Enumerable.Range(0, 600).Select(n =>
            {
                var z = all.Get(n, i / 3, i % 3); double s = 0;
                for (int j = 0; j < 4; j++) s += set.Theta[i * 4 + j] * z[j];
                return s;
            }).ToArray();
            double mean = proj.Average();
            Assert.Equal(Math.Sqrt(proj.Sum(p => (p - mean) * (p - mean)) / proj.Length), set.Sigma[i], 4);
        }
        // ω: worst head 0, best head 1, cubic in between
        float min = set.Accuracy.Min(), max = set.Accuracy.Max();
        Assert.True(max > min, "planted strengths should give different accuracies");
        for (int i = 0; i < 6; i++) Assert.Equal(Math.Pow((set.Accuracy[i] - min) / (max - min), 3), set.Omega[i], 5);
        // monitor heads: the 4 most accurate, best first
        Assert.Equal(4, set.MonitorHeadIndices.Length);
        Assert.True(set.MonitorHeadIndices.Select(i => set.Accuracy[i]).Zip(set.MonitorHeadIndices.Skip(1).Select(i => set.Accuracy[i])).All(p => p.First >= p.Second));
        Assert.True(set.MonitorHeadIndices.All(m => Enumerable.Range(0, 6).Except(set.MonitorHeadIndices).All(o => set.Accuracy[o] <= set.Accuracy[m])));
        // τ = median − population std
        var sorted = set.Accuracy.Select(a => (double)a).OrderBy(a => a).ToArray();
        double med = (sorted[2] + sorted[3]) / 2, avg = sorted.Average();
        Assert.Equal(med - Math.Sqrt(sorted.Sum(a => (a - avg) * (a - avg)) / 6), set.Tau, 12);
        Assert.True(set.TauIsDefault);
        // head (1, 2) has the strongest planted signal (Bayes accuracy Φ(1.5) = 0.93) and (0, 0) none; 150 validation
        // rows give a binomial standard error of about 0.02, hence the slack.
        Assert.True(set.AccuracyAt(1, 2) >= set.Accuracy.Max() - 0.04f, "accuracies " + string.Join(", ", set.Accuracy));
        Assert.True(set.AccuracyAt(0, 0) < 0.75f, $"head (0,0) has no planted signal but accuracy {set.AccuracyAt(0, 0)}");
    }

    [Fact]
    public void MassMeanDirectionIsTheNormalisedClassMeanDifference()
    {
        var set = Make(new ProbeSetOptions { Direction = ProbeDirection.MassMean, MonitorHeadCount = 4 });
        Assert.Equal(ProbeDirection.MassMean, set.Direction);
        Assert.NotNull(set.MeanPositive);
        for (int i = 0; i < 6; i++)
        {
            var diff = Enumerable.Range(0, 4).Select(j => (double)set.MeanPositive![i * 4 + j] - set.MeanNegative![i * 4 + j]).ToArray();
            double norm = Math.Sqrt(diff.Sum(v => v * v));
            for (int j = 0; j < 4; j++) Assert.Equal(diff[j] / norm, set.Theta[i * 4 + j], 5);
        }
        // the planted axis of head (1, 2) is axis 2
        Assert.True(set.ThetaAt(1, 2)[2] > 0.9f);
    }

    [Fact]
    public void SaveLoadRoundTripIsBitIdentical()
    {
        var set = Make().WithTau(0.625);
        string a = Path.Combine(_dir, "a.probe"), b = Path.Combine(_dir, "b.probe");
        set.Save(a);
        var loaded = ProbeSet.Load(a, Model);
        loaded.Save(b);
        Assert.Equal(File.ReadAllBytes(a), File.ReadAllBytes(b));

        Assert.Equal(set.Trait, loaded.Trait);
        Assert.Equal(set.Model, loaded.Model);
        Assert.Equal(set.Provenance, loaded.Provenance);
        Assert.Equal(set.Direction, loaded.Direction);
        Assert.Equal(0.625, loaded.Tau);
        Assert.False(loaded.TauIsDefault);
        Assert.Equal(set.Training with { MaxDegreeOfParallelism = null }, loaded.Training);
        foreach (var (x, y) in new[] { (set.Weights, loaded.Weights), (set.Bias, loaded.Bias), (set.Accuracy, loaded.Accuracy),
                     (set.TrainAccuracy, loaded.TrainAccuracy), (set.Theta, loaded.Theta), (set.Sigma, loaded.Sigma),
                     (set.Omega, loaded.Omega), (set.MeanPositive!, loaded.MeanPositive!), (set.MeanNegative!, loaded.MeanNegative!) })
            Assert.Equal(x.Select(BitConverter.SingleToInt32Bits), y.Select(BitConverter.SingleToInt32Bits));
        Assert.Equal(set.MonitorHeadIndices, loaded.MonitorHeadIndices);
    }

    [Fact]
    public void WrongModelIsRefusedNamingBothIdentities()
    {
        string p = Path.Combine(_dir, "m.probe");
        Make().Save(p);
        var other = Model with { Identity = "aaaaaaaaaaaaaaaa" };
        var e = Assert.Throws<SmitinException>(() => ProbeSet.Load(p, other));
        Assert.Contains("0123456789abcdef", e.Message);
        Assert.Contains("aaaaaaaaaaaaaaaa", e.Message);
        Assert.Contains("m.probe", e.Message);
        Assert.Throws<SmitinException>(() => ProbeSet.Load(p, Model with { Heads = 4 }));
    }

    [Fact]
    public void FlippedDataByteIsDetected()
    {
        string p = Path.Combine(_dir, "c.probe");
        Make().Save(p);
        var bytes = File.ReadAllBytes(p);
        bytes[^7] ^= 0x10; // inside the last tensor's data
        File.WriteAllBytes(p, bytes);
        var e = Assert.Throws<SmitinException>(() => ProbeSet.Load(p));
        Assert.Contains("c.probe", e.Message);
        Assert.Contains("corrupted", e.Message);
    }

    [Fact]
    public void TruncatedOrForeignFilesGiveNamedErrors()
    {
        string p = Path.Combine(_dir, "t.probe");
        Make().Save(p);
        var bytes = File.ReadAllBytes(p);
        File.WriteAllBytes(p, bytes[..(bytes.Length - 40)]);
        var e = Assert.Throws<SmitinException>(() => ProbeSet.Load(p));
        Assert.Contains("t.probe", e.Message);

        string q = Path.Combine(_dir, "junk.probe");
        File.WriteAllText(q, "not a probe set at all");
        e = Assert.Throws<SmitinException>(() => ProbeSet.Load(q));
        Assert.Contains("junk.probe", e.Message);

        string r = Path.Combine(_dir, "weights.safetensors");
        Smitin.IO.SafeTensorsWriter.Write(r, new Dictionary<string, TorchSharp.torch.Tensor> { ["x"] = TorchSharp.torch.zeros(2) },
            new Dictionary<string, string> { ["format"] = "pt" });
        e = Assert.Throws<SmitinException>(() => ProbeSet.Load(r));
        Assert.Contains("not a probe set", e.Message);

        e = Assert.Throws<SmitinException>(() => ProbeSet.Load(Path.Combine(_dir, "missing.probe")));
        Assert.Contains("missing.probe", e.Message);
    }
}
