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
        Assert.Contains("plotly.js v2.28.0", html); // self-contained outside a kernel
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
        var e = Assert.Throws<SmitinException>(() => MonitorTraceFigure.ToFigure([bad]));
        Assert.Contains("Intervened has 3 steps", e.Message);
    }

    [Fact]
    public async Task Plotly_library_is_inlined_once_per_notebook()
    {
        var (nb, _) = await NotebookKernel.CreateAsync();
        using var __ = nb;
        (await nb.SubmitAsync("var steps = Enumerable.Range(0, 20).Select(t => new float[] { 0.1f, 0.5f, 0.9f }).ToArray();\n" +
                              "var trace = Smitin.Viz.MonitorPlotSeries.FromProbabilities(\"t\", \"drums\", 0.5, 0, steps, new bool[20]);")).Succeeded();
        var first = await nb.SubmitAsync("trace");
        var second = await nb.SubmitAsync("trace");
        string h1 = Assert.Single(first.Html()), h2 = Assert.Single(second.Html());
        Assert.Contains("plotly.js v2.28.0", h1);
        Assert.DoesNotContain("plotly.js v2.28.0", h2);
        Assert.Contains("__smitinPlotlyQueue", h2); // waits for the library if the page has not run it yet
        Assert.True(h1.Length > 3_000_000 && h2.Length < 50_000, $"sizes {h1.Length}, {h2.Length}");
        Assert.DoesNotContain("<script src", h1 + h2); // nothing fetched: works offline
    }
}
