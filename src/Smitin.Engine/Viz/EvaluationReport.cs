using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Smitin.Evaluation;
using Smitin.IO;
using Smitin.Probing;

namespace Smitin.Viz;

/// <summary>
/// One self-contained offline HTML page for an evaluation (<c>smitin demo</c>): the success chart with 95 % intervals,
/// the probe heatmap, the monitor traces (one per s, paper Fig. 4), audio players for a few prompts across the
/// conditions, the results table and what each number means. plotly.js is inlined once (<see cref="PlotlyHtml"/>);
/// audio is inlined as base64 WAV data URIs; nothing is fetched.
/// </summary>
public static class EvaluationReport
{
    /// <summary>Ids of the chart containers, in page order (the screenshot test looks for each).</summary>
    public static readonly string[] ChartIds = ["chart-success", "chart-heatmap", "chart-monitor"];

    /// <summary>Colours of the success chart's bars by method (distinct from the monitor chart's palette).</summary>
    public static readonly IReadOnlyDictionary<string, string> MethodColors = new Dictionary<string, string>
    {
        ["none"] = "#8c8c8c", ["text"] = "#b07aa1", ["iti"] = "#e377c2", ["smitin"] = "#17becf", ["smitin+text"] = "#0b7285",
        ["real-without"] = "#bcbd22", ["real-with"] = "#bcbd22",
    };

    /// <summary>What goes on the page.</summary>
    /// <param name="Result">the evaluation (its <see cref="EvaluationResult.Examples"/> become the players)</param>
    /// <param name="Probes">the probe set shown as the heatmap</param>
    /// <param name="Monitor">monitor series, one per setting of s (and ITI), on one prompt</param>
    /// <param name="Notes">extra lines for the "how this was made" section (sizes, timing, command)</param>
    /// <param name="PlayerRows">row labels given players (null = every adding row of the first direction)</param>
    public sealed record Content(EvaluationResult Result, ProbeSet Probes, IReadOnlyList<MonitorPlotSeries> Monitor,
        IReadOnlyList<string> Notes, IReadOnlyList<string>? PlayerRows = null);

    /// <summary>Writes <see cref="Html"/> of <paramref name="content"/> to <paramref name="path"/>
    /// atomically.</summary>
    /// <exception cref="IOException">the file cannot be written</exception>
    public static void Save(string path, Content content) => AtomicFile.WriteAllText(path, Html(content));

    /// <summary>The report as one self-contained HTML page (tables, players, heatmap and monitor charts inline; works
    /// offline).</summary>
    public static string Html(Content content)
    {
        var r = content.Result;
        var c = CultureInfo.InvariantCulture;
        var sb = new StringBuilder(PlotlyHtml.PlotlyJs.Length + (1 << 20));
        string title = $"SMITIN on {r.Model}: adding and removing {r.Trait}";
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>").Append(Enc(title)).Append("</title>\n");
        sb.Append("<style>body{font-family:'DejaVu Sans',sans-serif;max-width:1180px;margin:24px auto;color:#222;line-height:1.45}")
          .Append("table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;padding:3px 7px;text-align:right}")
          .Append("th:first-child,td:first-child{text-align:left}h2{margin-top:34px;border-bottom:1px solid #ddd}")
          .Append(".players td{text-align:left;vertical-align:top}.players audio{width:300px;height:54px;display:block}.p{font-size:12px;color:#555}")
          .Append("#status{font-size:12px;color:#555}</style>\n");
        sb.Append(PlotlyHtml.LibraryScript());
        sb.Append("</head>\n<body>\n<h1>").Append(Enc(title)).Append("</h1>\n");
        sb.Append("<p>").Append(Enc(Summary(r))).Append("</p>\n");
        sb.Append("<p id=\"status\">checking the page…</p>\n");

        sb.Append("<h2>Success per condition</h2>\n<p>Share of continuations in which the <b>trait judge</b> (an audio classifier that never sees the probes or the language model) hears ")
          .Append(Enc(r.Trait)).Append(" (removal rows: no longer hears it), with Wilson 95 % intervals; n = ")
          .Append(string.Join(", ", r.Rows.Select(x => x.N).Distinct())).Append(" prompts per row.</p>\n");
        sb.Append(PlotlyHtml.Fragment(SuccessFigure(r), divId: ChartIds[0]));

        sb.Append("<h2>Results table</h2>\n").Append(Table(r));

        sb.Append("<h2>Listen</h2>\n<p>Each player holds the ").Append(r.PromptSeconds.ToString("0.##", c)).Append(" s prompt followed by the ")
          .Append(r.ContinuationSeconds.ToString("0.##", c)).Append(" s continuation; p is the judge's probability for the continuation. Real rows are the song itself through the codec.</p>\n");
        sb.Append(Players(r, content.PlayerRows));

        sb.Append("<h2>Probe accuracy per head</h2>\n<p>Validation accuracy of the logistic-regression probe on every decoder self-attention head (paper Fig. 2); outlined: the monitor heads whose median output C(t) gates SMITIN.</p>\n");
        sb.Append(PlotlyHtml.Fragment(HeatmapFigure(content.Probes), divId: ChartIds[1]));

        sb.Append("<h2>Monitor during generation</h2>\n<p>One prompt continued with SMITIN at several intervention intervals s (and ITI): median, mean and range of the monitor probes' outputs; dashed τ; ticks where a shift was applied (paper Fig. 4).</p>\n");
        sb.Append(PlotlyHtml.Fragment(PlotlyFigure.FromChart(MonitorTraceFigure.ToChart(content.Monitor, $"Monitor probes ({r.Trait}) by intervention interval")), divId: ChartIds[2]));

        sb.Append("<h2>What the numbers mean</h2>\n<ul>\n");
        foreach (var line in Meanings(r)) sb.Append("<li>").Append(line).Append("</li>\n");
        sb.Append("</ul>\n<h2>How this page was made</h2>\n<ul>\n");
        foreach (var n in content.Notes) sb.Append("<li>").Append(Enc(n)).Append("</li>\n");
        foreach (var p in r.ProbeSets) sb.Append("<li>probes: ").Append(Enc(p)).Append("</li>\n");
        sb.Append("<li>").Append(Enc($"sampling: {r.Sampling}; seed {r.Seed}; batch {r.BatchSize}; evaluation took {r.Seconds:0} s")).Append("</li>\n");
        sb.Append("</ul>\n");
        sb.Append(StatusScript.Replace("%CHARTS%", ChartIds.Length.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal));
        sb.Append("</body>\n</html>\n");
        return sb.ToString();
    }

    // Tells the reader (and a headless check) whether every chart was drawn and every player can play.
    const string StatusScript = """
<script type="text/javascript">
(function () {
  function check() {
    var charts = document.querySelectorAll('.js-plotly-plot').length, expected = %CHARTS%;
    var players = document.querySelectorAll('audio'), ready = 0;
    players.forEach(function (a) { if (a.readyState >= 1 && a.duration > 0) ready++; });
    document.getElementById('status').textContent = 'charts drawn: ' + charts + '/' + expected + ' · players ready: ' + ready + '/' + players.length;
  }
  window.addEventListener('load', function () { check(); setTimeout(check, 500); setTimeout(check, 2000); });
  document.querySelectorAll('audio').forEach(function (a) { a.addEventListener('loadedmetadata', check); });
})();
</script>
""";

    static string Enc(string s) => WebUtility.HtmlEncode(s);

    static JsonArray Numbers(IEnumerable<double> values) =>
        new(values.Select(v => double.IsFinite(v) ? JsonValue.Create(v) : (JsonNode?)null).ToArray());

    static JsonArray Strings(IEnumerable<string> values) => new(values.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray());

    /// <summary>The success chart: one dot per row (coloured by method) with its Wilson interval as a horizontal bar;
    /// dots rather than bars so that a rate of 0 is still visible.</summary>
    public static PlotlyFigure SuccessFigure(EvaluationResult r)
    {
        var rows = r.Rows.Reverse().ToArray();                                  // first row on top
        var fig = new PlotlyFigure();
        fig.Add(new JsonObject
        {
            ["type"] = "scatter", ["mode"] = "markers", ["name"] = "success",
            ["y"] = Strings(rows.Select(x => x.Label)),
            ["x"] = Numbers(rows.Select(x => x.Success)),
            ["error_x"] = new JsonObject
            {
                ["type"] = "data", ["symmetric"] = false, ["color"] = "#333",
                ["array"] = Numbers(rows.Select(x => x.SuccessCi95[1] - x.Success)),
                ["arrayminus"] = Numbers(rows.Select(x => x.Success - x.SuccessCi95[0])),
            },
            ["marker"] = new JsonObject { ["size"] = 16, ["symbol"] = "square", ["color"] = Strings(rows.Select(x => MethodColors.GetValueOrDefault(x.Method, "#8c8c8c"))) },
            ["text"] = Strings(rows.Select(x => string.Create(CultureInfo.InvariantCulture,
                $"n {x.N}, FAD {x.Fad:0.00}, prompt sim. {x.PromptSimilarity:0.000}"))),
            ["hovertemplate"] = "%{y}: %{x:.1%}<br>%{text}<extra></extra>",
        });
        fig.Layout["title"] = new JsonObject { ["text"] = $"{r.Trait}: judge-measured success (95 % CI)", ["x"] = 0, ["xanchor"] = "left" };
        fig.Layout["xaxis"] = new JsonObject { ["range"] = new JsonArray(-0.03, 1.03), ["tickformat"] = ".0%", ["title"] = new JsonObject { ["text"] = "success" } };
        fig.Layout["yaxis"] = new JsonObject { ["automargin"] = true };
        fig.Layout["width"] = 900;
        fig.Layout["height"] = 120 + 26 * rows.Length;
        fig.Layout["margin"] = new JsonObject { ["l"] = 260, ["t"] = 50 };
        return fig;
    }

    static PlotlyFigure HeatmapFigure(ProbeSet set) => PlotlyFigure.FromChart(ProbeHeatmap.ToChart(set));

    /// <summary>
    /// The results table as HTML: one <c>&lt;tr data-method="…" data-task="add|remove"&gt;</c> per row (condition, n,
    /// success with its Wilson 95 % interval, mean judge p, FAD, prompt similarity, shifted fraction, monitor C, seconds).
    /// Used by the report and by the notebook formatter of <see cref="EvaluationResult"/>.
    /// </summary>
    public static string Table(EvaluationResult r, string? cssClass = null)
    {
        var c = CultureInfo.InvariantCulture;
        var sb = new StringBuilder(cssClass is null ? "<table>" : $"<table class=\"{Enc(cssClass)}\">");
        sb.Append("\n<tr><th>condition</th><th>task</th><th>n</th><th>success</th><th>95 % CI</th><th>p(judge)</th><th>FAD ↓</th><th>prompt sim. ↑</th><th>shifted</th><th>monitor C</th><th>seconds</th></tr>\n");
        foreach (var x in r.Rows)
            sb.Append(c, $"<tr data-method=\"{Enc(x.Method)}\" data-task=\"{x.Task}\"><td>{Enc(x.Label)}</td><td>{x.Task}</td><td>{x.N}</td><td>{x.Success:P1}</td><td>{x.SuccessCi95[0]:P1} – {x.SuccessCi95[1]:P1}</td><td>{x.JudgeProbability:0.000}</td><td>{x.Fad:0.000}</td><td>{x.PromptSimilarity:0.000}</td><td>{(x.ShiftedFraction is { } s ? s.ToString("P1", c) : "–")}</td><td>{(x.MonitorConfidence is { } m ? m.ToString("0.000", c) : "–")}</td><td>{x.Seconds:0}</td></tr>\n");
        return sb.Append("</table>\n").ToString();
    }

    static string Players(EvaluationResult r, IReadOnlyList<string>? rows)
    {
        if (r.Examples.Count == 0) return "<p>(no examples kept)</p>\n";
        // default: the adding rows without a direction and those of the table's first direction
        string? first = r.Rows.FirstOrDefault(x => x.Direction is not null)?.Direction;
        var other = r.Rows.Select(x => x.Direction).OfType<string>().Where(d => d != first).Distinct().ToArray();
        var labels = rows ?? r.Examples[0].Clips.Where(x => x.Task == "add" && !other.Any(d => x.Row.Contains($"({d})", StringComparison.Ordinal))).Select(x => x.Row).ToArray();
        var sb = new StringBuilder("<table class=\"players\">\n<tr><th>condition</th>");
        foreach (var e in r.Examples) sb.Append("<th>").Append(Enc(e.Prompt)).Append("</th>");
        sb.Append("</tr>\n");
        foreach (var label in labels)
        {
            sb.Append("<tr><td>").Append(Enc(label)).Append("</td>");
            foreach (var e in r.Examples)
            {
                var clip = e.Clips.FirstOrDefault(x => x.Row == label);
                sb.Append("<td>");
                if (clip.Audio is not null)
                    sb.Append("<audio controls preload=\"auto\" src=\"data:audio/wav;base64,").Append(Convert.ToBase64String(clip.Audio.ToWavBytes()))
                      .Append("\"></audio><span class=\"p\">").Append(string.Create(CultureInfo.InvariantCulture, $"p = {clip.JudgeProbability:0.00}")).Append("</span>");
                sb.Append("</td>");
            }
            sb.Append("</tr>\n");
        }
        return sb.Append("</table>\n").ToString();
    }

    static string Summary(EvaluationResult r)
    {
        var c = CultureInfo.InvariantCulture;
        string Get(string method, string? dir) => r.Rows.FirstOrDefault(x => x.Method == method && x.Task == "add" && (dir is null || x.Direction == dir)) is { } x
            ? Pct(x.Success) : "–";
        string Pct(double v) => (100 * v).ToString("0.#", c) + " %";                  // as the table: 97.5 %
        var dirs = r.Rows.Where(x => x.Direction is not null).Select(x => x.Direction!).Distinct().ToArray();
        var parts = new List<string> { $"no control {Get("none", null)}", $"text {Get("text", null)}" };
        foreach (var d in dirs)
        {
            var smitin = r.Rows.Where(x => x.Method == "smitin" && x.Task == "add" && x.Direction == d)
                .Select(x => string.Create(c, $"α {x.Alpha:0.##} {Pct(x.Success)}")).ToArray();
            parts.Add($"{d}: ITI {Get("iti", d)}, SMITIN {(smitin.Length > 0 ? string.Join(", ", smitin) : "–")}");
        }
        parts.Add($"real songs without/with the {r.Trait}: {Get("real-without", null)} / {Get("real-with", null)}");
        return $"Prompts of songs without {r.Trait} ({r.PromptSeconds.ToString("0.##", c)} s) were continued for {r.ContinuationSeconds.ToString("0.##", c)} s under each condition; " +
               $"the judge heard {r.Trait} in: " + string.Join("; ", parts) + ". The table and the players below show what this means for closeness to the prompt.";
    }

    static IEnumerable<string> Meanings(EvaluationResult r)
    {
        string baseText = r.BaseText is { } t ? $"the text \"{Enc(t)}\"" : "no text condition";
        yield return "<b>no control</b>: the prompt continued with " + baseText + " and no intervention (the monitor still runs, nothing is shifted). <b>text</b>: the same with the text \"" + Enc(r.Rows.FirstOrDefault(x => x.Method == "text")?.Text ?? "") + "\" (the paper's text baseline).";
        yield return "<b>ITI</b>: the top-K probe heads shifted along their direction θ by α·σ at every generated step (Li et al. 2023). <b>SMITIN</b>: all heads, soft weights ω = ((a − a_min)/(a_max − a_min))³, every s-th step, only while the monitor C(t−1) is below τ, scaled by 1 − C (docs/steering.md). <b>SMITIN + text</b>: both at once.";
        yield return "<b>direction</b>: <i>probe</i> = the probe's weight vector w/|w| (the paper), <i>mass-mean</i> = mean(with) − mean(without) of the head outputs (ITI's best; Smitin's default, docs/method.md §4.1); σ belongs to each direction.";
        yield return "<b>real, without / with</b>: the real continuation of the same window, without or with the trait stem, passed through the codec: the floor (judge false alarms) and the ceiling (judge recall on real music after the codec).";
        yield return "<b>success</b>: share of continuations the judge scores ≥ its threshold (removal rows: below it). <b>95 % CI</b>: Wilson score interval. <b>p(judge)</b>: mean judge probability.";
        yield return "<b>FAD</b>: " + Enc(r.Embedding) + ". Reference: real continuations with the trait (adding rows) or without it (removal rows), so the real-with row is 0 by construction. Lower = closer to real music with the trait.";
        yield return "<b>prompt sim.</b>: how close a continuation stays to its own prompt (1 = same average latent). <b>shifted</b>: share of generated decoder steps at which a shift was applied (from the monitor trace). <b>monitor C</b>: the probes' own mean confidence over the continuation (not the judge).";
        yield return "<b>removal rows</b> [remove]: prompts with the trait, steered along −θ (SMITIN: while C &gt; 1 − τ); success = the judge no longer hears it.";
    }
}
