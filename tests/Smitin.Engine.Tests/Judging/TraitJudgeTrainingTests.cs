using Smitin.Audio;
using Smitin.Data;
using Smitin.Judging;

namespace Smitin.Tests.Judging;

/// <summary>Judges trained (without a codec) on <see cref="JudgeSongs"/>: 14 synthetic songs × 6 s at 16 kHz.</summary>
public class TraitJudgeTrainingTests
{
    static readonly TraitJudgeOptions Drums = new() { Trait = "drums", ValidationFraction = 0.4, Seed = 0 };

    static readonly Lazy<TraitJudge> DrumJudge = new(() => TraitJudge.Train(null, JudgeSongs.Root, Drums));

    [Fact]
    public void Drum_judge_separates_held_out_songs_far_above_chance()
    {
        Native.TorchRuntime.Ensure();
        var judge = DrumJudge.Value;
        var r = judge.Report;
        Assert.Equal(16000, judge.SampleRate);
        Assert.True(r.ValidationSongs.Count >= 3, $"held-out songs: {string.Join(", ", r.ValidationSongs)}");
        Assert.Empty(r.TrainSongs.Intersect(r.ValidationSongs));
        Assert.Null(r.Reconstructions);
        // Held-out: the full-mixture pairs of the held-out songs, two 3 s windows per 6 s song at a 1.5 s hop → 3 windows.
        Assert.Equal(r.Originals.Positives, r.Originals.Negatives);
        Assert.Equal(3 * r.ValidationSongs.Count, r.Originals.Positives);
        // Chance is 0.5; with ≥ 3 held-out songs (≥ 18 pairs) 0.85 is far outside what a coin reaches even if every
        // window of a song agreed (≤ 1 in 8 for 3 songs all right by luck; the clips are the unit here).
        Assert.True(r.Originals.Accuracy >= 0.85, string.Join("\n", r.Lines()));
        Assert.True(r.Originals.MeanProbabilityPositive - r.Originals.MeanProbabilityNegative >= 0.5, string.Join("\n", r.Lines()));
    }

    [Fact]
    public void Shuffled_labels_give_a_judge_near_chance()
    {
        Native.TorchRuntime.Ensure();
        // The same data and features with permuted training labels: whatever held-out accuracy the real judge reaches
        // comes from the labels, not from a leak between the split or the pairing. Averaged over three permutations.
        var accuracies = new[] { 0, 1, 2 }.Select(seed =>
            TraitJudge.Train(null, JudgeSongs.Root, Drums with { ShuffleLabels = true, Seed = seed }).Report).ToArray();
        Assert.All(accuracies, r => Assert.True(r.ShuffledLabels));
        double mean = accuracies.Average(r => r.Originals.Accuracy);
        Assert.True(mean is >= 0.3 and <= 0.7, "shuffled-label held-out accuracies: " + string.Join(", ", accuracies.Select(r => r.Originals.Accuracy.ToString("F3"))));
        Assert.True(DrumJudge.Value.Report.Originals.Accuracy - mean >= 0.25, $"real {DrumJudge.Value.Report.Originals.Accuracy:F3} vs shuffled {mean:F3}");
    }

    [Fact]
    public void Whole_songs_with_drums_score_higher_than_the_same_songs_without()
    {
        Native.TorchRuntime.Ensure();
        var judge = DrumJudge.Value;
        var collection = StemCollection.Open(JudgeSongs.Root);
        var with = new List<AudioClip>();
        var without = new List<AudioClip>();
        foreach (var id in judge.Report.ValidationSongs)
        {
            var t = collection.Tracks.Single(x => x.Id == id);
            var mixture = AudioClip.Load(t.MixturePath!);
            with.Add(mixture);
            without.Add(mixture.Subtract(AudioClip.Load(t.Stems["drums"][0])));
        }
        var pWith = judge.Probabilities(with);
        var pWithout = judge.Probabilities(without);
        // 6 s songs: three 3 s windows each (0, 1.5, 3 s), averaged.
        Assert.Equal(3, judge.WindowProbabilities([with[0]])[0].Length);
        Assert.True(pWith.Average() - pWithout.Average() >= 0.5, $"with {string.Join(", ", pWith.Select(p => p.ToString("F2")))}; without {string.Join(", ", pWithout.Select(p => p.ToString("F2")))}");
        Assert.Equal(pWith[0], judge.Probability(with[0]), 12);
    }

    [Fact]
    public void Training_is_deterministic_and_reports_progress()
    {
        Native.TorchRuntime.Ensure();
        var stages = new List<JudgeProgress>();
        var progress = new SyncProgress(stages.Add);
        var again = TraitJudge.Train(null, JudgeSongs.Root, Drums, progress);
        Assert.Equal(DrumJudge.Value.Weights, again.Weights);
        Assert.Equal(DrumJudge.Value.Bias, again.Bias);
        Assert.Equal(DrumJudge.Value.Mean, again.Mean);
        Assert.Equal(new[] { "load", "features", "fit" }, stages.Select(s => s.Stage).Distinct());
        Assert.Contains(stages, s => s.Stage == "load" && s.Done == s.Total);
    }

    /// <summary>
    /// No seed given: every run draws its own (the one default of <c>--seed</c>, <see cref="RandomSeed"/>) and records
    /// it in the judge file; training again with the recorded seed gives the same judge.
    /// </summary>
    [Fact]
    public void Without_a_seed_each_run_records_the_random_seed_it_drew_and_that_seed_reproduces_the_judge()
    {
        Native.TorchRuntime.Ensure();
        var unseeded = Drums with { Seed = null };
        var first = TraitJudge.Train(null, JudgeSongs.Root, unseeded);
        var second = TraitJudge.Train(null, JudgeSongs.Root, unseeded);
        Assert.NotEqual(first.Report.Seed, second.Report.Seed);                  // equal draws: 1 chance in 2^31
        using var dir = new TempDir();
        first.Save(dir["judge.json"]);
        int recorded = TraitJudge.Load(dir["judge.json"]).Report.Seed;
        Assert.Equal(first.Report.Seed, recorded);
        var again = TraitJudge.Train(null, JudgeSongs.Root, Drums with { Seed = recorded });
        Assert.Equal(first.Report.ValidationSongs, again.Report.ValidationSongs);
        Assert.Equal(first.Weights, again.Weights);
        Assert.Equal(first.Bias, again.Bias);
    }

    [Fact]
    public void Cancellation_stops_training()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => TraitJudge.Train(null, JudgeSongs.Root, Drums, null, cts.Token));
    }

    [Fact]
    public void Bad_arguments_are_named_errors()
    {
        var e = Assert.Throws<SmitinException>(() => TraitJudge.Train(null, JudgeSongs.Root, Drums with { Trait = "tuba" }));
        Assert.Contains("'tuba' stem", e.Message);
        Assert.Contains("drums", e.Message);                      // lists the stems there are
        Assert.Equal("validation", Assert.Throws<OptionException>(() => TraitJudge.Train(null, JudgeSongs.Root, Drums with { ValidationFraction = 0 })).Option);
        Assert.Equal("segment-seconds", Assert.Throws<OptionException>(() => TraitJudge.Train(null, JudgeSongs.Root, Drums with { WindowSeconds = 0.5 })).Option);
        Assert.Equal("trait", Assert.Throws<OptionException>(() => TraitJudge.Train(null, JudgeSongs.Root, Drums with { Trait = " " })).Option);
        Assert.Contains("not found", Assert.Throws<SmitinException>(() => TraitJudge.Train(null, "/nonexistent/songs", Drums)).Message);
        Assert.Contains("Features.SampleRate", Assert.Throws<SmitinException>(() =>
            TraitJudge.Train(null, JudgeSongs.Root, Drums with { Features = JudgeFeatureOptions.ForSampleRate(32000) })).Message);
    }

    /// <summary>Reports synchronously (Progress&lt;T&gt; posts to the thread pool).</summary>
    sealed class SyncProgress(Action<JudgeProgress> report) : IProgress<JudgeProgress>
    {
        public void Report(JudgeProgress value) => report(value);
    }
}
