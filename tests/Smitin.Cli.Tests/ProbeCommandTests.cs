using Smitin.Audio;
using Smitin.Probing;
using Smitin.Tests.Probing;
using Smitin.Tests.Support;

namespace Smitin.Tests.Cli;

/// <summary><c>smitin probe</c> end to end on the fixture with planted-trait WAV files, and its bad-input paths.</summary>
public sealed class ProbeCommandTests : IDisposable
{
    readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    /// <summary>with/ and without/ folders: one 2 s file per track and side (the same name pairs them into a track).</summary>
    string PlantedFolders(int tracks)
    {
        string root = _dir["planted"];
        Directory.CreateDirectory(Path.Combine(root, "with"));
        Directory.CreateDirectory(Path.Combine(root, "without"));
        for (int i = 0; i < tracks; i++)
        {
            var (with, without) = PlantedTrait.Clips($"track{i:D3}", 2.0);
            with.Save(Path.Combine(root, "with", $"track{i:D3}.wav"), WavEncoding.Float32);
            without.Save(Path.Combine(root, "without", $"track{i:D3}.wav"), WavEncoding.Float32);
        }
        return root;
    }

    [Fact]
    public async Task Probe_writes_a_probe_set_and_an_offline_heatmap()
    {
        Native.TorchRuntime.Ensure();
        string folders = PlantedFolders(30), outPath = _dir["tone.probe"], html = _dir["tone.html"];
        int rc = await CliHost.Run("probe", "--model", Fixture.Model(), "--source", folders, "--trait", "tone", "--segment-seconds", "1",
            "--validation", "0.3", "--seed", "0", "--direction", "mass-mean", "--no-cache", "--out", outPath, "--heatmap", html);
        Assert.Equal(0, rc);

        var set = ProbeSet.Load(outPath);
        Assert.Equal("tone", set.Trait);
        Assert.Equal(ProbeDirection.MassMean, set.Direction);
        Assert.Equal(1.0, set.Provenance.SegmentSeconds);
        Assert.Contains("labelled folders", set.Provenance.Source);
        // 30 tracks, 9 held out; 2 s files cut into two 1 s segments each
        Assert.Equal((42, 42, 18, 18), (set.Provenance.TrainPositive, set.Provenance.TrainNegative, set.Provenance.ValidationPositive, set.Provenance.ValidationNegative));
        Assert.True(set.Accuracy.Max() >= 0.8f, "best accuracy " + set.Accuracy.Max());

        // what the command printed to stdout (the saved set is bit-identical to the one it summarised)
        string text = string.Join("\n", Smitin.Cli.ProbeCommand.Summary(set));
        Assert.Contains("trait 'tone': 2 layers x 4 heads probed on 42+42 train / 18+18 validation segments", text);
        Assert.Contains($"best {set.Accuracy.Max():P1}", text);
        Assert.Contains($"tau = {set.Tau:F4}", text);
        Assert.Contains("monitor heads (8): L", text);
        string page = File.ReadAllText(html);
        Assert.Contains("plotly.js v2.28.0", page);
        Assert.Contains("tone: probe accuracy per head", page);
    }

    [Fact]
    public async Task Probe_refuses_zero_or_two_data_sources()
    {
        string folders = _dir.Path;
        Assert.Equal(1, await CliHost.Run("probe", "--model", Fixture.Model(), "--trait", "x", "--out", _dir["a.probe"]));
        Assert.Equal(1, await CliHost.Run("probe", "--model", Fixture.Model(), "--folders", folders, "--manifest", _dir["m.txt"], "--trait", "x", "--out", _dir["a.probe"]));
        Assert.Equal(1, await CliHost.Run("probe", "--model", Fixture.Model(), "--source", _dir["missing"], "--trait", "x", "--out", _dir["a.probe"]));
        Assert.False(File.Exists(_dir["a.probe"]));
    }
}
