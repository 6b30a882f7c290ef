using Smitin.IO;

namespace Smitin.Training.Tests;

/// <summary>A killed codec run continues from its checkpoint and ends with the weights an uninterrupted run has.</summary>
public class CodecResumeTests
{
    static readonly SynthModelConfig Config = TinyTraining.Config with { CodecSteps = 24, CodecWarmupSteps = 8, Songs = 3 };

    sealed class CancelAt(int step, CancellationTokenSource cts) : IProgress<string>
    {
        public void Report(string value) { if (value.StartsWith($"codec: step {step}/", StringComparison.Ordinal)) cts.Cancel(); }
    }

    [Fact]
    public void Cancelled_run_resumes_to_the_same_codec()
    {
        using var dir = new TempDir();
        TrainingPipeline.Run(Config, dir["a"], dir["a-model"], TrainingStage.Codec, null, CancellationToken.None);

        using var cts = new CancellationTokenSource();
        Directory.CreateDirectory(dir["b"]);
        CopySongs(dir["a"], dir["b"]);
        Assert.ThrowsAny<OperationCanceledException>(() =>
            TrainingPipeline.Run(Config, dir["b"], dir["b-model"], TrainingStage.Codec, new CancelAt(11, cts), cts.Token));
        Assert.False(File.Exists(CodecTrainer.ExportPath(dir["b"])));
        Assert.True(Directory.Exists(TrainingState.Folder(Path.Combine(dir["b"], "codec"))));
        TrainingPipeline.Run(Config, dir["b"], dir["b-model"], TrainingStage.Codec, null, CancellationToken.None);

        using var a = SafeTensorsFile.Open(CodecTrainer.ExportPath(dir["a"]));
        using var b = SafeTensorsFile.Open(CodecTrainer.ExportPath(dir["b"]));
        Assert.Equal(a.Keys.OrderBy(k => k), b.Keys.OrderBy(k => k));
        foreach (var key in a.Keys)
        {
            using var x = a.Read(key); using var y = b.Read(key);
            Assert.True(x.eq(y).all().item<bool>(), $"{key}: resumed run differs from the uninterrupted one (max |diff| {(x - y).abs().max().item<float>()})");
        }
        // the curve has one row per logged step, without duplicates from the resumed part
        var steps = File.ReadAllLines(Path.Combine(dir["b"], "codec", "curves.csv")).Skip(1).Select(l => l.Split(',')[0]).ToList();
        Assert.Equal(steps.Distinct().Count(), steps.Count);
    }

    static void CopySongs(string from, string to)
    {
        foreach (var f in Directory.GetFiles(Path.Combine(from, "songs"), "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(to, "songs", Path.GetRelativePath(Path.Combine(from, "songs"), f));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(f, target);
        }
    }
}
