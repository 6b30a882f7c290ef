using System.Diagnostics;

namespace Smitin.Tests.Cli;

public class DatasetCommandTests
{
    static (int Exit, string Out, string Err) Smitin(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add("exec");
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "smitin.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output, err.Result);
    }

    [Fact]
    public void Synth_then_scan()
    {
        using var dir = new TempDir();
        var (exit, output, err) = Smitin("dataset", "synth", "--out", dir["s"], "--songs", "2", "--song-seconds", "3.2", "--seed", "2");
        Assert.True(exit == 0, err);
        Assert.Contains("2 songs generated", output);
        Assert.True(File.Exists(dir["s/song_0001/mixture.wav"]));

        (exit, output, err) = Smitin("dataset", "scan", dir["s"], "--trait", "bass", "--validation", "0");
        Assert.True(exit == 0, err);
        Assert.Contains("trait: bass", output);
        Assert.Contains("train segments:", output);
    }

    /// <summary>
    /// The one default of <c>--seed</c> (docs/options.md): without it each run draws a seed, prints it on stderr and
    /// records it in synth.json; <c>--seed</c> with the printed value renders the same audio.
    /// </summary>
    [Fact]
    public void Synth_without_a_seed_prints_and_records_a_random_seed_that_reproduces_the_songs()
    {
        using var dir = new TempDir();
        int Run(string folder, params string[] extra)
        {
            var (exit, _, err) = Smitin(["dataset", "synth", "--out", dir[folder], "--songs", "1", "--song-seconds", "2", .. extra]);
            Assert.True(exit == 0, err);
            var printed = System.Text.RegularExpressions.Regex.Match(err, @"smitin: seed (\d+)");
            Assert.True(printed.Success, err);
            int seed = int.Parse(printed.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            using var synth = System.Text.Json.JsonDocument.Parse(File.ReadAllText(dir[folder + "/synth.json"]));
            Assert.Equal(seed, synth.RootElement.GetProperty("seed").GetInt32());
            return seed;
        }
        int a = Run("a"), b = Run("b");
        Assert.NotEqual(a, b);                                                   // equal draws: 1 chance in 2^31
        Assert.Equal(a, Run("again", "--seed", a.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(File.ReadAllBytes(dir["a/song_0000/mixture.wav"]), File.ReadAllBytes(dir["again/song_0000/mixture.wav"]));
        Assert.Equal(File.ReadAllText(dir["a/song_0000/song.json"]), File.ReadAllText(dir["again/song_0000/song.json"]));
    }

    [Fact]
    public void Errors_are_one_line_with_exit_code_1()
    {
        using var dir = new TempDir();
        var (exit, _, err) = Smitin("dataset", "synth", "--out", dir["s"], "--songs", "2", "--soundfont", dir["missing.sf2"]);
        Assert.Equal(1, exit);
        Assert.StartsWith("smitin: error:", err);
        Assert.Contains("missing.sf2", err);
        (exit, _, err) = Smitin("dataset", "scan", dir["nothing"]);
        Assert.Equal(1, exit);
        Assert.Contains("not found", err);
    }

    [Fact]
    public void Bad_option_values_name_the_option_before_any_work()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir["folder"]);
        // scan: the option as the user typed it, not the engine's field name
        foreach (var (args, option) in new[]
        {
            (new[] { "--segment-seconds", "0" }, "--segment-seconds"),
            (new[] { "--validation", "1.5" }, "--validation"),
            (new[] { "--max-segments-per-track", "0" }, "--max-segments-per-track"),
        })
        {
            var (exit, _, err) = Smitin(["dataset", "scan", dir.Path, "--trait", "drums", .. args]);
            Assert.Equal(1, exit);
            Assert.StartsWith("smitin: error: " + option, err);
        }
        // probe: refused before the model is even looked up (the model path does not exist)
        string[] probe = ["probe", "--model", dir["no-model"], "--source", dir["no-data"], "--trait", "t", "--out", dir["t.probe"]];
        foreach (var (args, option) in new[]
        {
            (new[] { "--segment-seconds", "0" }, "--segment-seconds"),
            (new[] { "--validation", "0" }, "--validation"),
            (new[] { "--monitor-heads", "0" }, "--monitor-heads"),
            (new[] { "--tau", "1.5" }, "--tau"),
            (new[] { "--soft-weight-exponent", "-1" }, "--soft-weight-exponent"),
            (new[] { "--batch-size", "0" }, "--batch-size"),
            (new[] { "--max-segments-per-track", "0" }, "--max-segments-per-track"),
            (new[] { "--heatmap", dir["folder"] }, "--heatmap"),
        })
        {
            var (exit, _, err) = Smitin([.. probe, .. args]);
            Assert.Equal(1, exit);
            Assert.StartsWith("smitin: error: " + option, err);
        }
        var (code, _, message) = Smitin(["probe", "--model", dir["no-model"], "--source", dir["no-data"], "--trait", "t", "--out", dir["folder"]]);
        Assert.Equal(1, code);
        Assert.Contains("--out", message);
        Assert.Contains("is a folder", message);
        Assert.False(File.Exists(dir["t.probe"]));
    }
}
