using System.Text.Json.Nodes;
using Smitin.Probing;
using Smitin.Steering;
using Smitin.Tests.Steering;
using Smitin.Tests.Support;
using Smitin.Viz;

namespace Smitin.Tests.Cli;

/// <summary><c>smitin trace plot trace.json --out trace.html</c>: the notebook's monitor chart from a trace file.</summary>
public sealed class TraceCommandTests : IDisposable
{
    readonly TempDir _dir = new();

    public TraceCommandTests() => Native.TorchRuntime.Ensure();

    public void Dispose() => _dir.Dispose();

    /// <summary>A real trace: a short steered generation on the fixture with hand-built probes, two samples.</summary>
    async Task<string> WriteTrace()
    {
        var identity = ProbeModelIdentity.Of(TinyModel.Shared);
        var p = HandBuiltProbes.Random("drums", identity.Layers, identity.Heads, identity.HeadDim, seed: 3);
        var set = new ProbeSet("drums", identity, p.Provenance, p.Training, p.Direction, p.SoftWeightExponent, p.Tau, p.TauIsDefault,
            p.Weights, p.Bias, p.Accuracy, p.TrainAccuracy, p.Theta, p.Sigma, p.Omega, p.MonitorHeadIndices, null, null);
        string probes = _dir.File("drums.probe");
        set.Save(probes);
        string trace = _dir.File("trace.json");
        var (code, error) = await CliHost.RunCapturingErrors(["generate", "--model", Fixture.Model(), "--greedy", "--max-new-tokens", "12",
            "--text", "drums", "--text", "bass", "--out", _dir.File("x.wav"), "--probes", probes, "--mode", "smitin", "--alpha", "2", "--every", "2", "--trace-out", trace]);
        Assert.True(code == 0, error);
        return trace;
    }

    /// <summary>The figure JSON the page draws (<c>var fig = {...};</c>).</summary>
    static JsonObject Figure(string html)
    {
        int start = html.IndexOf("var fig = ", StringComparison.Ordinal) + "var fig = ".Length;
        int end = html.IndexOf(";\n  var draw", start, StringComparison.Ordinal);
        return JsonNode.Parse(html[start..end])!.AsObject();
    }

    [Fact]
    public async Task Plot_draws_every_sample_of_the_trace_on_a_time_axis_in_one_offline_page()
    {
        string trace = await WriteTrace();
        var record = SteeringRecord.Load(trace);
        Assert.Equal(TinyModel.Shared.FrameRate, record.Trace.FrameRate);            // generate records the frame rate
        string html = _dir.File("trace.html");

        var (code, error) = await CliHost.RunCapturingErrors(["trace", "plot", trace, "--out", html]);

        Assert.True(code == 0, error);
        string page = File.ReadAllText(html);
        Assert.StartsWith("<!DOCTYPE html>", page);
        Assert.Contains("plotly.js " + PlotlyHtml.PlotlyJsVersion, page);              // inlined: works offline
        Assert.DoesNotContain("<script src=", page);                                     // nothing fetched
        var data = Figure(page)["data"]!.AsArray();
        var medians = data.Where(t => ((string?)t!["name"])?.EndsWith(" median", StringComparison.Ordinal) == true).ToArray();
        Assert.Equal(2, medians.Length);                                                  // one per sample
        var samples = record.Trace.Traits[0].Samples;
        for (int b = 0; b < 2; b++)
        {
            Assert.Equal(samples[b].Confidence.Select(v => (double)v), medians[b]!["y"]!.AsArray().Select(v => (double)v!),
                new ToleranceComparer(1e-6));                                            // C(t) of each sample
            double[] x = medians[b]!["x"]!.AsArray().Select(v => (double)v!).ToArray();
            Assert.Equal(1 / TinyModel.Shared.FrameRate, x[1] - x[0], 9);                 // seconds, not steps
        }
        Assert.Contains("\"text\":\"time (s)\"", Figure(page)["layout"]!.ToJsonString());
    }

    [Fact]
    public async Task A_trace_written_before_the_frame_rate_was_recorded_is_drawn_over_decoder_steps()
    {
        var json = JsonNode.Parse(File.ReadAllText(await WriteTrace()))!;
        json["trace"]!.AsObject().Remove("frame_rate");
        string old = _dir.File("old.json");
        File.WriteAllText(old, json.ToJsonString());

        var (code, error) = await CliHost.RunCapturingErrors(["trace", "plot", old, "--out", _dir.File("old.html")]);

        Assert.True(code == 0, error);
        Assert.Contains("axis shows decoder steps", error);
        Assert.Contains("\"text\":\"decoder step\"", Figure(File.ReadAllText(_dir.File("old.html")))["layout"]!.ToJsonString());
    }

    [Fact]
    public async Task A_missing_or_invalid_trace_file_fails_with_its_name_and_writes_nothing()
    {
        string html = _dir.File("none.html");
        string missing = _dir.File("missing.json");
        var (code, error) = await CliHost.RunCapturingErrors(["trace", "plot", missing, "--out", html]);
        Assert.Equal(1, code);
        Assert.Contains($"{missing}: trace file not found", error);

        string notJson = _dir.File("bad.json");
        File.WriteAllText(notJson, "{\"monitor_only\": tru");
        (code, error) = await CliHost.RunCapturingErrors(["trace", "plot", notJson, "--out", html]);
        Assert.Equal(1, code);
        Assert.Contains($"{notJson}: not a steering trace", error);

        string otherJson = _dir.File("codes.json");
        File.WriteAllText(otherJson, "{\"shape\":[1,4,2],\"codes\":[]}");
        (code, error) = await CliHost.RunCapturingErrors(["trace", "plot", otherJson, "--out", html]);
        Assert.Equal(1, code);
        Assert.Contains($"{otherJson}: not a steering trace", error);

        var json = JsonNode.Parse(File.ReadAllText(await WriteTrace()))!;
        json["trace"]!["traits"]![0]!["samples"]![0]!["confidence"]!.AsArray().RemoveAt(0);
        string cut = _dir.File("cut.json");
        File.WriteAllText(cut, json.ToJsonString());
        (code, error) = await CliHost.RunCapturingErrors(["trace", "plot", cut, "--out", html]);
        Assert.Equal(1, code);
        Assert.Contains($"{cut}: trait 'drums' sample 0: confidence has", error);

        Assert.False(File.Exists(html));
        Assert.Empty(Directory.GetFiles(_dir.Path, "none.html*"));                        // no partial file either
    }

    sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double a, double b) => Math.Abs(a - b) <= tolerance;
        public int GetHashCode(double v) => 0;
    }
}
