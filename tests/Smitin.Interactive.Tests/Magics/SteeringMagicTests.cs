using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Smitin.Generation;
using Smitin.Interactive.Tests.Formatting;
using Smitin.Interactive.Tests.Support;

namespace Smitin.Interactive.Tests.Magics;

/// <summary>generate --mode, compare and trace on probes trained from synthetic drums (fixture model).</summary>
public class SteeringMagicTests : IClassFixture<SteeringMagicTests.Notebook>
{
    public sealed class Notebook : IAsyncLifetime
    {
        public NotebookKernel Kernel { get; private set; } = null!;
        readonly string _songs = Path.Combine(Path.GetTempPath(), "smitin-nbtest-" + Guid.NewGuid().ToString("N")[..8]);

        public async Task InitializeAsync()
        {
            (Kernel, _) = await NotebookKernel.CreateAsync();
            foreach (var cell in new[]
            {
                $"#!smitin load \"{Repo.TinyModel}\"",
                $"#!smitin dataset drums --synthetic --songs 4 --song-seconds 6 --seed 3 --out \"{_songs}\" --validation 0.25",
                "#!smitin probe --monitor-heads 4",
            })
                (await Kernel.SubmitAsync(cell)).Succeeded();
        }

        public Task DisposeAsync()
        {
            Kernel.Dispose();
            try { Directory.Delete(_songs, recursive: true); } catch (IOException) { }
            return Task.CompletedTask;
        }
    }

    readonly Notebook _nb;
    public SteeringMagicTests(Notebook nb) => _nb = nb;

    static string[] Wavs(string html) => Regex.Matches(html, "data:audio/wav;base64,([A-Za-z0-9+/=]+)").Select(m => m.Groups[1].Value).ToArray();

    [Fact]
    public async Task Smitin_generation_records_its_plan_and_trace_shows_the_monitor_chart()
    {
        var r = await _nb.Kernel.SubmitAsync("#!smitin generate \"drums\" --mode smitin --alpha 8 --every 3 --duration 1 --seed 4");
        r.Succeeded();
        string html = Assert.Single(r.Html(), h => h.Contains("smitin-generation"));
        Assert.Contains("smitin add drums: alpha 8, every 3", html);
        Assert.True(_nb.Kernel.CSharp.TryGetValue<GenerationResult>("result", out var result));
        Assert.NotNull(result.Steering);

        var trace = await _nb.Kernel.SubmitAsync("#!smitin trace");
        trace.Succeeded();
        string chart = Assert.Single(trace.Html(), h => h.Contains("smitin-trace"));
        var fig = ChartFormatterTests.FigureOf(chart);
        var names = fig["data"]!.AsArray().Select(t => (string)t!["name"]!).ToList();
        Assert.Contains("SMITIN median", names);
        var median = fig["data"]!.AsArray().Single(t => (string)t!["name"]! == "SMITIN median")!;
        Assert.Equal(result.Steering!.Trace.Steps, median["y"]!.AsArray().Count);
        Assert.Equal(result.Steering.Trace.Traits[0].GateThreshold!.Value, (double)fig["layout"]!["shapes"]![0]!["y0"]!, 6);
        int shifted = result.Steering.Trace.Traits[0].Samples[0].Shifted.Count(s => s);
        var ticks = fig["data"]!.AsArray().Single(t => (string)t!["name"]! == "SMITIN intervention")!;
        Assert.Equal(shifted, ticks["x"]!.AsArray().Count);
    }

    [Fact]
    public async Task Compare_shows_three_players_from_the_same_seed_and_one_chart()
    {
        var r = await _nb.Kernel.SubmitAsync("#!smitin compare \"drums\" --duration 1 --seed 9 --alpha 0");
        r.Succeeded();
        string html = Assert.Single(r.Html(), h => h.Contains("smitin-compare"));
        foreach (var label in new[] { "no control", "ITI", "SMITIN" }) Assert.Contains($"<th>{label}</th>", html);
        var wavs = Wavs(html);
        Assert.Equal(3, wavs.Length);
        Assert.True(wavs[0] == wavs[1] && wavs[1] == wavs[2], "alpha 0: all three variants must be the same audio (same seed, no shift)");
        Assert.Contains("smitin-trace", html);
        Assert.Contains("shifted at 0 of", html);
        Assert.True(_nb.Kernel.CSharp.TryGetValue<Comparison>("comparison", out var comparison));
        Assert.All(comparison.Variants, v => Assert.Equal(9, v.Result.Seed));

        var iti = await _nb.Kernel.SubmitAsync("#!smitin trace iti");
        iti.Succeeded();
        var fig = ChartFormatterTests.FigureOf(Assert.Single(iti.Html(), h => h.Contains("smitin-trace")));
        Assert.All(fig["data"]!.AsArray(), t => Assert.StartsWith("ITI", (string)t!["name"]!));
    }

    [Fact]
    public async Task Steering_shifts_the_output_when_alpha_is_large()
    {
        var r = await _nb.Kernel.SubmitAsync("#!smitin compare \"drums\" --duration 1 --seed 9 --alpha 50 --every 1");
        r.Succeeded();
        var wavs = Wavs(Assert.Single(r.Html(), h => h.Contains("smitin-compare")));
        Assert.NotEqual(wavs[0], wavs[1]);   // ITI, all steps, top heads: the tokens change
        Assert.Contains("ITI", r.Html().Single(h => h.Contains("smitin-compare")));
    }

    [Fact]
    public async Task Steering_errors_name_the_problem_and_show_help()
    {
        (await _nb.Kernel.SubmitAsync("#!smitin generate x --mode iti --duration 0.5")).Succeeded(); // something to trace
        foreach (var (cell, message) in new[]
        {
            ("#!smitin generate x --mode smitin --trait bass", "no probes for it"),
            ("#!smitin generate x --mode iti --alpha -1", "--alpha = -1: expected a finite number in [0, 1000]"),
            ("#!smitin compare x --every 0", "--every = 0: expected an integer in [1, 2147483647]"),
            ("#!smitin trace --variant louder", "--variant 'louder'"),
        })
        {
            var r = await _nb.Kernel.SubmitAsync(cell);
            Assert.True(r.Error() is { } e && e.Contains(message), $"{cell}: expected an error with '{message}', got '{r.Error()}'");
            Assert.Contains(r.Html(), h => h.Contains("smitin-help"));
        }
    }

    [Fact]
    public async Task Fresh_notebook_without_probes_or_traces_says_what_to_run_first()
    {
        var (nb, _) = await NotebookKernel.CreateAsync();
        using var __ = nb;
        (await nb.SubmitAsync($"#!smitin load \"{Repo.TinyModel}\"")).Succeeded();
        Assert.Contains("no probes trained yet", (await nb.SubmitAsync("#!smitin generate x --mode smitin")).Error());
        Assert.Contains("no monitor trace yet", (await nb.SubmitAsync("#!smitin trace")).Error());
        Assert.Contains("no dataset", (await nb.SubmitAsync("#!smitin probe")).Error());
    }

    /// <summary>A copy of the fixture with one decoder weight changed: same config and shapes, another checkpoint (a "fine-tune").</summary>
    static string FineTunedCopy()
    {
        string dir = Path.Combine(Path.GetTempPath(), "smitin-nbtest-tuned-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        foreach (var f in Directory.GetFiles(Repo.TinyModel).Where(f => Path.GetFileName(f) != "reference.safetensors"))
            File.Copy(f, Path.Combine(dir, Path.GetFileName(f)));
        string weights = Path.Combine(dir, "model.safetensors");
        long offset;
        using (var st = Smitin.IO.SafeTensorsFile.Open(weights))
        {
            var info = st.Info("decoder.model.decoder.layers.1.fc2.weight");
            using var fs = File.OpenRead(weights);
            var len = new byte[8];
            fs.ReadExactly(len);
            offset = 8 + (long)BitConverter.ToUInt64(len) + info.Begin + 4 * 1000;
        }
        using (var w = new FileStream(weights, FileMode.Open, FileAccess.Write))
        {
            w.Seek(offset, SeekOrigin.Begin);
            w.Write(BitConverter.GetBytes(0.123f));
        }
        return dir;
    }

    [Fact]
    public async Task After_loading_another_model_the_previous_models_probes_are_refused_on_every_steering_path()
    {
        string tuned = FineTunedCopy();
        try
        {
            (await _nb.Kernel.SubmitAsync($"#!smitin load \"{tuned}\"")).Succeeded();
            foreach (var cell in new[]
            {
                "#!smitin generate \"drums\" --steer smitin --seconds 0.5 --seed 1",
                "#!smitin generate \"drums\" --steer iti --seconds 0.5 --seed 1",
                "#!smitin generate \"drums\" --trait drums --seconds 0.5 --seed 1",             // monitor only
                "#!smitin compare \"drums\" --seconds 0.5 --seed 1",
            })
            {
                var r = await _nb.Kernel.SubmitAsync(cell);
                Assert.True(r.Error() is { } e && e.Contains("was trained for model"), $"{cell}: expected the identity refusal, got '{r.Error()}'");
            }
        }
        finally
        {
            (await _nb.Kernel.SubmitAsync($"#!smitin load \"{Repo.TinyModel}\"")).Succeeded();   // the other tests use the fixture
            try { Directory.Delete(tuned, recursive: true); } catch (IOException) { }
        }
        (await _nb.Kernel.SubmitAsync("#!smitin generate \"drums\" --steer smitin --seconds 0.5 --seed 1")).Succeeded();
    }
}
