using System.Diagnostics;
using System.Text.Json.Nodes;
using Smitin.Probing;
using Plotly.NET.CSharp;
using Smitin.Viz;

namespace Smitin.Tests.Viz;

public class ProbeHeatmapTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("smitin-viz-").FullName;
    public void Dispose() => Directory.Delete(_dir, true);

    /// <summary>A 3-layer × 5-head probe set with known accuracies (no training needed).</summary>
    internal static ProbeSet Sample(string trait = "drums <b>&")
    {
        const int l = 3, h = 5, d = 2;
        var acc = Enumerable.Range(0, l * h).Select(i => 0.5f + 0.03f * ((i * 7) % 15)).ToArray();
        var theta = Enumerable.Range(0, l * h).SelectMany(_ => new[] { 0.6f, 0.8f }).ToArray();
        var fits = new ProbeFits(l, h, d, (float[])theta.Clone(), new float[l * h], acc.Select(a => Math.Min(1, a + 0.05f)).ToArray(), acc, ProbeSolver.MlNet);
        var labels = Enumerable.Range(0, 8).Select(i => i % 2 == 0).ToArray();
        var values = Enumerable.Range(0, 8 * l * h * d).Select(i => (float)Math.Sin(i)).ToArray();
        var all = new ActivationSet(values, labels, l, h, d);
        return ProbeSet.Build(trait, new ProbeModelIdentity("id", "cfg", l, h, d), new ProbeProvenance { Source = "synthetic" }, fits, all,
            new ProbeTrainingOptions(), new ProbeSetOptions { MonitorHeadCount = 4 });
    }

    [Fact]
    public void FigureHasTheAccuraciesHoverTitleAndMonitorHeads()
    {
        var set = Sample();
        var fig = JsonNode.Parse(PlotlyFigure.FromChart(set.Heatmap()).ToJson())!;
        var heat = fig["data"]![0]!;
        Assert.Equal("heatmap", (string)heat["type"]!);
        var z = heat["z"]!.AsArray();
        Assert.Equal(3, z.Count);
        Assert.All(z, row => Assert.Equal(5, row!.AsArray().Count));
        Assert.Equal(set.AccuracyAt(2, 4), (float)(double)z[2]![4]!, 6);
        string hover = (string)heat["text"]![2]![4]!;
        Assert.Contains("layer 2, head 4", hover);
        Assert.Contains($"accuracy {set.AccuracyAt(2, 4) * 100:F1} %", hover);

        var best = set.BestHeads(1)[0];
        string title = (string)fig["layout"]!["title"]!["text"]!;
        Assert.Contains($"best {best.Accuracy * 100:F1} %", title);
        Assert.Contains($"layer {best.Layer}, head {best.Head}", title);
        Assert.Contains($"τ = {set.Tau:F3}", title);
        Assert.Equal(new[] { 2.5, -0.5 }, fig["layout"]!["yaxis"]!["range"]!.AsArray().Select(v => (double)v!)); // layer 0 on top

        var markers = fig["data"]![1]!;
        var mx = markers["x"]!.AsArray().Select(v => (int)(double)v!).ToArray();
        var my = markers["y"]!.AsArray().Select(v => (int)(double)v!).ToArray();
        Assert.Equal(set.MonitorHeadIndices, my.Zip(mx, (ly, hx) => ly * 5 + hx).ToArray());
    }

    [Fact]
    public void PageInlinesPlotlyJsAndEscapesText()
    {
        string page = PlotlyHtml.Page(ProbeHeatmap.ToChart(Sample()), "t");
        Assert.Contains("plotly.js v2.28.0", page);
        Assert.True(page.Length > 3_000_000, $"page is {page.Length} chars: plotly.js not inlined?");
        Assert.DoesNotContain("<script src", page, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("drums <b>", page); // the trait is JSON-escaped inside the script
        // exactly the two script elements we wrote: the library and the figure
        Assert.Equal(2, CountOf(page, "<script"));
        Assert.Equal(2, CountOf(page, "</script>"));
    }

    [Fact]
    public void FragmentsIncludeTheLibraryOnlyWhenAsked()
    {
        var fig = ProbeHeatmap.ToChart(Sample());
        string bare = PlotlyHtml.Fragment(fig, divId: "a");
        Assert.True(bare.Length < 100_000);
        Assert.Contains("<div id=\"a\"></div>", bare);
        string withLib = PlotlyHtml.Fragment(fig, includeLibrary: true, divId: "b");
        Assert.Contains("plotly.js v2.28.0", withLib);
        Assert.Throws<ArgumentException>(() => PlotlyHtml.Fragment(fig, divId: "x\"><script>"));
    }

    [Fact]
    public void HeatmapIsAPlotlyNetChartThatKeepsItsAxesWhenRestyled()
    {
        var set = Sample();
        Plotly.NET.GenericChart chart = set.Heatmap();
        // a user restyles it with Plotly.NET's C# API: the new style merges into Smitin's axis (range kept)
        var restyled = chart.WithSize(Width: 321, Height: 234).WithXAxisStyle<int, int, int>(TitleText: "attention head");
        var fig = JsonNode.Parse(PlotlyFigure.FromChart(restyled).ToJson())!;
        Assert.Equal(321, (int)fig["layout"]!["width"]!);
        Assert.Equal("attention head", (string)fig["layout"]!["xaxis"]!["title"]!["text"]!);
        Assert.Equal(new[] { -0.5, 4.5 }, fig["layout"]!["xaxis"]!["range"]!.AsArray().Select(v => (double)v!));
        Assert.Equal(new[] { 2.5, -0.5 }, fig["layout"]!["yaxis"]!["range"]!.AsArray().Select(v => (double)v!));
        Assert.Equal("Viridis", (string)fig["data"]![0]!["colorscale"]!);
    }

    [Fact]
    public void CompressedLibraryIsExactlyPlotlyJsAndAboutAThirdOfItsSize()
    {
        string script = PlotlyHtml.CompressedLibraryScript();
        var m = System.Text.RegularExpressions.Regex.Match(script, "atob\\(\"([A-Za-z0-9+/=]+)\"\\)");
        Assert.True(m.Success, "no base64 payload");
        using var gz = new System.IO.Compression.GZipStream(new MemoryStream(Convert.FromBase64String(m.Groups[1].Value)), System.IO.Compression.CompressionMode.Decompress);
        using var reader = new StreamReader(gz);
        Assert.Equal(PlotlyHtml.PlotlyJs, reader.ReadToEnd());
        Assert.True(script.Length < PlotlyHtml.PlotlyJs.Length / 2, $"compressed script {script.Length} chars, plotly.js {PlotlyHtml.PlotlyJs.Length}");
        Assert.DoesNotContain("<script src", script);
        Assert.Contains("if (window.Plotly || window.__smitinPlotlyLoading) return;", script); // a later copy does nothing
    }

    /// <summary>Headless Chromium (a project dependency, scripts/setup.sh) renders the saved page offline.</summary>
    [Fact]
    public async Task ChromiumRendersTheHeatmapOffline()
    {
        string html = Path.Combine(_dir, "heat.html");
        ProbeHeatmap.Save(Sample("drums"), html);
        string dom = await DumpDom(html);
        Assert.Contains("main-svg", dom);       // plotly drew its SVG
        Assert.Contains("heatmaplayer", dom);   // with the heatmap layer
        Assert.Contains("monitor heads", dom);  // and the legend entry of the markers
    }

    /// <summary>
    /// Notebook outputs: two charts that each carry the compressed library (as every chart cell output does) both
    /// draw, offline; the same page without any library draws nothing (so the check can fail).
    /// </summary>
    [Fact]
    public async Task ChromiumDrawsChartsThatEachCarryTheCompressedLibrary()
    {
        var chart = ProbeHeatmap.ToChart(Sample("drums"));
        string Output(string id, bool library) => (library ? PlotlyHtml.CompressedLibraryScript() : "") + PlotlyHtml.Fragment(chart, divId: id);
        string page = Path.Combine(_dir, "two.html"), bare = Path.Combine(_dir, "bare.html");
        File.WriteAllText(page, "<!DOCTYPE html><html><body>" + Output("one", true) + Output("two", true) + "</body></html>");
        File.WriteAllText(bare, "<!DOCTYPE html><html><body>" + Output("one", false) + Output("two", false) + "</body></html>");
        string dom = await DumpDom(page);   // plotly marks the divs it drew (the DOM also holds plotly.js's own text)
        Assert.Contains("<div id=\"one\" class=\"js-plotly-plot\"", dom);
        Assert.Contains("<div id=\"two\" class=\"js-plotly-plot\"", dom);
        string blank = await DumpDom(bare);
        Assert.Contains("<div id=\"one\"></div>", blank);
        Assert.DoesNotContain("js-plotly-plot", blank);
    }

    async Task<string> DumpDom(string html)
    {
        Assert.True(File.Exists("/usr/bin/chromium"), "chromium is not installed (scripts/setup.sh installs it)");
        var psi = new ProcessStartInfo("/usr/bin/chromium", ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
            $"--user-data-dir={Path.Combine(_dir, "profile")}", "--virtual-time-budget=10000", "--proxy-server=127.0.0.1:9",
            "--dump-dom", "file://" + html])
        { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        _ = p.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await p.WaitForExitAsync(timeout.Token);
        return await stdout;
    }

    static int CountOf(string s, string what)
    {
        int n = 0;
        for (int i = s.IndexOf(what, StringComparison.OrdinalIgnoreCase); i >= 0; i = s.IndexOf(what, i + 1, StringComparison.OrdinalIgnoreCase)) n++;
        return n;
    }
}
