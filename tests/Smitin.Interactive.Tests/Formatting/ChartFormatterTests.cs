using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.DotNet.Interactive.Formatting;
using Smitin.Interactive.Formatting;
using Smitin.Interactive.Tests.Support;
using Smitin.Viz;

namespace Smitin.Interactive.Tests.Formatting;

public class ChartFormatterTests
{
    public ChartFormatterTests() => SmitinFormatters.Register();

    internal static float[][] Raw(int steps = 40, int heads = 4)
    {
        var rng = new Random(7);
        return Enumerable.Range(0, steps).Select(t => Enumerable.Range(0, heads)
            .Select(h => (float)Math.Clamp(0.2 + 0.6 * t / steps + 0.1 * (rng.NextDouble() - 0.5), 0, 1)).ToArray()).ToArray();
    }

    internal static MonitorPlotSeries Trace(string name = "SMITIN (s = 5)", int steps = 40, int heads = 4)
    {
        var p = Raw(steps, heads);
        var intervened = Enumerable.Range(0, steps).Select(t => t % 5 == 0 && t < 30).ToArray();
        return MonitorPlotSeries.FromProbabilities(name, "drums", 0.6, 50, p, intervened);
    }

    /// <summary>The figure JSON passed to Plotly.newPlot in a chart's HTML.</summary>
    internal static JsonObject FigureOf(string html)
    {
        var m = Regex.Match(html, @"var fig = (\{.*?\});\n", RegexOptions.Singleline);
        Assert.True(m.Success, "no figure JSON in the chart HTML");
        return JsonNode.Parse(m.Groups[1].Value)!.AsObject();
    }

    [Fact]
    public void Monitor_trace_chart_has_median_mean_spread_tau_and_interventions()
    {
        var trace = Trace();
        string html = trace.ToDisplayString(HtmlFormatter.MimeType);
        Assert.Contains("smitin-trace", html);
        Assert.Contains("inlined by Smitin (gzip, base64)", html); // every chart output carries plotly.js
        var fig = FigureOf(html);
        var data = fig["data"]!.AsArray().Select(t => t!.AsObject()).ToList();
        var names = data.Select(t => (string)t["name"]!).ToList();
        Assert.Contains("SMITIN (s = 5) median", names);
        Assert.Contains("SMITIN (s = 5) mean", names);
        var spread = data.Single(t => (string?)t["fill"] == "tonexty");
        Assert.Equal(40, spread["y"]!.AsArray().Count);
        var ticks = data.Single(t => ((string)t["name"]!).EndsWith("intervention"));
        Assert.Equal(new[] { 0.0, 0.1, 0.2, 0.3, 0.4, 0.5 }, ticks["x"]!.AsArray().Select(x => Math.Round((double)x!, 3))); // steps 0,5,..,25 at 50 Hz
        var tau = fig["layout"]!["shapes"]!.AsArray().Single()!;
        Assert.Equal(0.6, (double)tau["y0"]!);
        Assert.Equal("dash", (string)tau["line"]!["dash"]!);
        Assert.Equal("time (s)", (string)fig["layout"]!["xaxis"]!["title"]!["text"]!);

        // median of step 10's four outputs, recomputed here
        var s10 = Raw()[10].Select(v => (double)v).Order().ToArray();
        double median = (s10[1] + s10[2]) / 2;
        var medianTrace = data.Single(t => (string)t["name"]! == "SMITIN (s = 5) median");
        Assert.Equal(median, (double)medianTrace["y"]![10]!, 5);
    }

    [Fact]
    public void Chart_with_two_traces_draws_both_in_one_figure()
    {
        string html = new MonitorChart([Trace("ITI"), Trace("SMITIN")], "ITI vs SMITIN").ToDisplayString(HtmlFormatter.MimeType);
        var fig = FigureOf(html);
        Assert.Equal("ITI vs SMITIN", (string)fig["layout"]!["title"]!["text"]!);
        Assert.Equal("left", (string)fig["layout"]!["title"]!["xanchor"]!);   // clear of the mode bar at the top right
        Assert.Equal(2, fig["layout"]!["shapes"]!.AsArray().Count);
        Assert.Equal(10, fig["data"]!.AsArray().Count);
    }

    [Fact]
    public void Bad_trace_is_refused_with_a_message_naming_it()
    {
        var bad = Trace() with { Intervened = new bool[3] };
        var e = Assert.Throws<SmitinException>(() => MonitorTraceFigure.ToChart([bad]));
        Assert.Contains("Intervened has 3 steps", e.Message);
    }

    [Fact]
    public async Task Every_chart_output_carries_plotly_js_so_a_rerun_cell_never_takes_it_away()
    {
        var (nb, _) = await NotebookKernel.CreateAsync();
        using var __ = nb;
        (await nb.SubmitAsync("var steps = Enumerable.Range(0, 20).Select(t => new float[] { 0.1f, 0.5f, 0.9f }).ToArray();\n" +
                              "var trace = Smitin.Viz.MonitorPlotSeries.FromProbabilities(\"t\", \"drums\", 0.5, 0, steps, new bool[20]);")).Succeeded();
        var first = await nb.SubmitAsync("trace");
        var second = await nb.SubmitAsync("trace");   // the same cell run again: its output must still draw on its own
        string h1 = Assert.Single(first.Html()), h2 = Assert.Single(second.Html());
        foreach (var h in new[] { h1, h2 })
        {
            Assert.Contains("inlined by Smitin (gzip, base64)", h);
            Assert.Contains("__smitinPlotlyQueue", h); // draws once the (first) library on the page is ready
            Assert.True(h.Length is > 1_000_000 and < 2_000_000, $"chart output is {h.Length} chars"); // plotly.js is 3.5 MB raw
            Assert.DoesNotContain("<script src", h); // nothing fetched: works offline
        }
    }

    [Fact]
    public async Task A_Plotly_NET_chart_built_in_a_cell_renders_with_the_offline_formatter()
    {
        var (nb, _) = await NotebookKernel.CreateAsync();
        using var __ = nb;
        nb.CSharp.AddAssemblyReferences([typeof(Plotly.NET.GenericChart).Assembly.Location, typeof(Plotly.NET.CSharp.Chart).Assembly.Location]);
        var r = await nb.SubmitAsync("using Plotly.NET.CSharp;\n" +
            "Plotly.NET.CSharp.Chart.Point<int, int, string>(new[] { 1, 2, 3 }, new[] { 4, 5, 6 }, Name: \"mine\").WithSize(Width: 333, Height: 222)");
        string html = Assert.Single(r.Html());
        Assert.Contains("smitin-plot smitin-chart", html);
        Assert.Contains("inlined by Smitin (gzip, base64)", html);
        var fig = FigureOf(html);
        Assert.Equal(333, (int)fig["layout"]!["width"]!);
        Assert.Equal("mine", (string)fig["data"]![0]!["name"]!);
        Assert.DoesNotContain("cdn.plot.ly", html);
        // as in the notebook host: only FSharp.Core 10.0.0.0 (the package's pin) is loaded, though Plotly.NET
        // references 10.1.0.0 (FSharpCoreBinding answers that request with the loaded assembly)
        var fsharp = AppDomain.CurrentDomain.GetAssemblies().Where(a => a.GetName().Name == "FSharp.Core").Select(a => a.GetName().Version).ToList();
        Assert.Equal([new Version(10, 0, 0, 0)], fsharp);
        var wanted = typeof(Plotly.NET.GenericChart).Assembly.GetReferencedAssemblies().Single(a => a.Name == "FSharp.Core");
        Assert.Equal(new Version(10, 1, 0, 0), wanted.Version);
    }
}
