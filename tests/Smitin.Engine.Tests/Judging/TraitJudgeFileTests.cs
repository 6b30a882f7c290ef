using System.Text.Json.Nodes;
using Smitin.Audio;
using Smitin.Judging;

namespace Smitin.Tests.Judging;

/// <summary>The judge file: round trip, atomic write, and a named error for every kind of damage.</summary>
public sealed class TraitJudgeFileTests : IDisposable
{
    readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    /// <summary>A judge with seeded random weights (no training needed to test the file).</summary>
    internal static TraitJudge Random(string trait = "drums", int rate = 16000)
    {
        var f = JudgeFeatureOptions.ForSampleRate(rate);
        var rng = new Random(5);
        double[] V(double scale, double offset) => Enumerable.Range(0, f.Dimension).Select(_ => offset + scale * rng.NextDouble()).ToArray();
        var scores = new JudgeScores(6, 6, 0.75, 0.8333, 0.3333, 0.7, 0.3);
        var report = new TraitJudgeReport
        {
            Trait = trait, Seed = 0, ValidationFraction = 0.25, WindowSeconds = 3, HopSeconds = 1.5, SubsetPairsPerWindow = 2, C = 1,
            Source = "/songs", TrainSongs = ["song_0000"], ValidationSongs = ["song_0001"], TrainClips = 12, TrainReconstructions = 12,
            SkippedWindows = 0, TrainAccuracy = 0.9, Originals = scores, Reconstructions = scores with { Recall = 0.75 }, Codec = "abc (/m)",
            ElapsedSeconds = 1.5, Created = "2026-11-30T07:00:00Z",
        };
        return new TraitJudge(trait, f, 3.0, V(10, -5), V(2, 0.5), V(0.2, -0.1), 0.25, 0.5, report);
    }

    static AudioClip Noise(int seconds, int rate)
    {
        var rng = new Random(9);
        return AudioClip.Mono(Enumerable.Range(0, seconds * rate).Select(_ => (float)(rng.NextDouble() - 0.5) * 0.2f).ToArray(), rate);
    }

    [Fact]
    public void Saved_judge_loads_with_the_same_settings_weights_report_and_probabilities()
    {
        Native.TorchRuntime.Ensure();
        var judge = Random();
        string path = _dir["judge-drums.json"];
        judge.Save(path);
        Assert.Equal(["judge-drums.json"], Directory.GetFiles(_dir.Path).Select(Path.GetFileName)); // no temp file left
        var loaded = TraitJudge.Load(path);
        Assert.Equal(judge.Trait, loaded.Trait);
        Assert.Equal(judge.Features.FeatureNames(), loaded.Features.FeatureNames());
        Assert.Equal(judge.Features with { BandEdgesHz = [] }, loaded.Features with { BandEdgesHz = [] });
        Assert.Equal(judge.Weights, loaded.Weights);
        Assert.Equal(judge.Mean, loaded.Mean);
        Assert.Equal(judge.Std, loaded.Std);
        Assert.Equal((judge.Bias, judge.Threshold, judge.WindowSeconds), (loaded.Bias, loaded.Threshold, loaded.WindowSeconds));
        Assert.Equal(judge.Report.Originals, loaded.Report.Originals);
        Assert.Equal(0.75, loaded.Report.Reconstructions!.Recall);
        Assert.Equal(judge.Report.ValidationSongs, loaded.Report.ValidationSongs);
        var clip = Noise(4, 16000);
        Assert.Equal(judge.Probability(clip), loaded.Probability(clip), 12);
        var json = JsonNode.Parse(File.ReadAllText(path))!;
        Assert.Equal(TraitJudge.FileFormat, (string?)json["format"]);
        Assert.Equal(216, json["features"]!["names"]!.AsArray().Count);
        Assert.Equal(0.9, (double)json["report"]!["train_accuracy"]!);
    }

    public static TheoryData<string, string, string> Damage => new()
    {
        { "format", "\"other\"", "field 'format' is 'other'; expected 'smitin-trait-judge'" },
        { "version", "2", "field 'version' is 2" },
        { "trait", "\"\"", "field 'trait' is missing or empty" },
        { "threshold", "1.5", "field 'threshold' is 1.5" },
        { "bias", "null", "field 'bias' is missing" },
        { "weights", "[1, 2]", "field 'weights' has 2 numbers; expected 216" },
        { "report", "null", "field 'report' is missing" },
        { "sample_rate", "32000", "field 'sample_rate' is 32000; expected 16000" },
        { "window_seconds", "0.2", "field 'window_seconds' is 0.2" },
    };

    [Theory]
    [MemberData(nameof(Damage))]
    public void Damaged_fields_are_named(string field, string value, string expected)
    {
        string path = _dir["judge.json"];
        Random().Save(path);
        var json = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        json[field] = JsonNode.Parse(value);
        File.WriteAllText(path, json.ToJsonString());
        var e = Assert.Throws<SmitinException>(() => TraitJudge.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Damaged_vectors_and_feature_settings_are_named()
    {
        string path = _dir["judge.json"];
        void Edit(Action<JsonObject> edit)
        {
            Random().Save(path);
            var json = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
            edit(json);
            File.WriteAllText(path, json.ToJsonString());
        }
        Edit(j => j["std"]![3] = 0);
        Assert.Contains("field 'std' [3] (logmel_mean[3]) is 0; expected a positive scale", Assert.Throws<SmitinException>(() => TraitJudge.Load(path)).Message);
        Edit(j => j["features"]!["n_fft"] = 500);
        Assert.Contains("n_fft 500", Assert.Throws<SmitinException>(() => TraitJudge.Load(path)).Message);
        Edit(j => j["features"]!["names"]![0] = "mfcc[0]");
        Assert.Contains("features.names' [0] is 'mfcc[0]'", Assert.Throws<SmitinException>(() => TraitJudge.Load(path)).Message);
        Edit(j => j["features"]!.AsObject().Remove("mels"));
        Assert.Contains("features.mels' is missing", Assert.Throws<SmitinException>(() => TraitJudge.Load(path)).Message);
    }

    [Fact]
    public void Missing_folder_and_non_json_files_are_named()
    {
        Assert.Contains("judge file not found", Assert.Throws<SmitinException>(() => TraitJudge.Load(_dir["none.json"])).Message);
        Assert.Contains("is a folder", Assert.Throws<SmitinException>(() => TraitJudge.Load(_dir.Path)).Message);
        File.WriteAllText(_dir["bad.json"], "{ not json");
        Assert.Contains("invalid JSON", Assert.Throws<SmitinException>(() => TraitJudge.Load(_dir["bad.json"])).Message);
        File.WriteAllText(_dir["null.json"], "null");
        Assert.Contains("not a judge file", Assert.Throws<SmitinException>(() => TraitJudge.Load(_dir["null.json"])).Message);
        Assert.Contains("is a folder", Assert.Throws<SmitinException>(() => Random().Save(_dir.Path)).Message);
    }

    [Fact]
    public void Tensor_batches_and_clips_of_other_rates_are_judged_like_clips()
    {
        Native.TorchRuntime.Ensure();
        var judge = Random();
        var a = Noise(2, 16000);
        var b = Noise(5, 16000).Scale(0.5f);
        using var batch = TorchSharp.torch.stack([a.ToTensor(), a.Scale(0.3f).ToTensor()]);   // (2, 1, T)
        var p = judge.Probabilities(batch, 16000);
        Assert.Equal(judge.Probability(a), p[0], 12);
        Assert.Equal(judge.Probability(a), p[1], 4);            // gain-invariant features
        var stereo32 = b.Resample(32000).ToChannels(2);
        Assert.Equal(judge.Probability(stereo32.ToMono().Resample(16000)), judge.Probability(stereo32), 12); // conformed to mono 16 kHz
        Assert.Contains("clip 1", Assert.Throws<SmitinException>(() => judge.Probabilities([a, Noise(1, 8000).Slice(0, 4000)])).Message);
    }
}
