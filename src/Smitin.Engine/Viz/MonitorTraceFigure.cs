using System.Globalization;
using System.Text.Json.Nodes;

namespace Smitin.Viz;

/// <summary>
/// The Fig. 4-style monitor chart: per trace the median (solid) and mean (dotted) of the monitor probe outputs over
/// generation time, their spread (low to high, shaded; the minimum and maximum for raw outputs), the threshold τ as a dashed line and the steps where the
/// intervention was applied as ticks along the bottom. Several traces (e.g. one per setting of s) share the axes.
/// </summary>
public static class MonitorTraceFigure
{
    static readonly string[] Colors = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"];

    public static PlotlyFigure ToFigure(IReadOnlyList<MonitorPlotSeries> traces, string? title = null, int width = 760, int height = 440)
    {
        if (traces.Count == 0) throw new SmitinException("monitor chart: no traces to draw");
        foreach (var t in traces) t.Validate();
        bool seconds = traces.All(t => t.FrameRate > 0);
        var fig = new PlotlyFigure();
        var shapes = new JsonArray();
        var annotations = new JsonArray();

        for (int i = 0; i < traces.Count; i++)
        {
            var tr = traces[i];
            string color = Colors[i % Colors.Length], group = $"trace{i}";
            double[] x = Enumerable.Range(tr.FirstStep, tr.Steps).Select(s => seconds ? s / tr.FrameRate : s).ToArray();

            fig.Add(Line(x, tr.High.Select(v => (double)v), $"{tr.Name} spread (upper)", group, color, width: 0, showLegend: false));
            var low = Line(x, tr.Low.Select(v => (double)v), $"{tr.Name} spread", group, color, width: 0, showLegend: true);
            low["fill"] = "tonexty";
            low["fillcolor"] = Rgba(color, 0.18);
            fig.Add(low);
            fig.Add(Line(x, tr.Median.Select(v => (double)v), $"{tr.Name} median", group, color, width: 2.5, showLegend: true));
            fig.Add(Line(x, tr.Mean.Select(v => (double)v), $"{tr.Name} mean", group, color, width: 1.5, showLegend: true, dash: "dot"));

            var steps = Enumerable.Range(0, tr.Steps).Where(s => tr.Intervened[s]).ToArray();
            fig.Add(new JsonObject
            {
                ["type"] = "scatter", ["mode"] = "markers", ["name"] = $"{tr.Name} intervention", ["legendgroup"] = group,
                ["x"] = PlotlyFigure.Numbers(steps.Select(s => x[s])),
                ["y"] = PlotlyFigure.Numbers(steps.Select(_ => -0.04 - 0.05 * i)),
                ["marker"] = new JsonObject { ["symbol"] = "line-ns-open", ["size"] = 9, ["color"] = color, ["line"] = new JsonObject { ["width"] = 1.5 } },
                ["hovertemplate"] = "intervention at %{x}<extra></extra>",
            });

            shapes.Add(new JsonObject
            {
                ["type"] = "line", ["xref"] = "paper", ["x0"] = 0, ["x1"] = 1, ["yref"] = "y", ["y0"] = tr.Tau, ["y1"] = tr.Tau,
                ["line"] = new JsonObject { ["color"] = color, ["width"] = 1.5, ["dash"] = "dash" },
            });
            annotations.Add(new JsonObject
            {
                ["xref"] = "paper", ["x"] = 1, ["xanchor"] = "right", ["yref"] = "y", ["y"] = tr.Tau, ["yanchor"] = "bottom",
                ["text"] = $"τ = {tr.Tau.ToString("0.###", CultureInfo.InvariantCulture)}", ["showarrow"] = false,
                ["font"] = new JsonObject { ["color"] = color, ["size"] = 11 },
            });
        }

        string trait = string.Join(", ", traces.Select(t => t.Trait).Distinct());
        var layout = fig.Layout;
        // left-aligned over the plot: a centred title runs under Plotly's mode bar (top right) once it is a few words long
        layout["title"] = new JsonObject { ["text"] = title ?? $"Monitor probes during generation ({trait})", ["x"] = 0, ["xref"] = "paper", ["xanchor"] = "left" };
        layout["width"] = width;
        layout["height"] = height;
        layout["xaxis"] = new JsonObject { ["title"] = new JsonObject { ["text"] = seconds ? "time (s)" : "decoder step" }, ["zeroline"] = false };
        layout["yaxis"] = new JsonObject { ["title"] = new JsonObject { ["text"] = "monitor probe output p" }, ["range"] = new JsonArray(-0.05 - 0.05 * traces.Count, 1.02) };
        layout["shapes"] = shapes;
        layout["annotations"] = annotations;
        layout["legend"] = new JsonObject { ["orientation"] = "h", ["y"] = -0.22, ["yanchor"] = "top" };
        layout["margin"] = new JsonObject { ["t"] = 60, ["r"] = 20, ["b"] = 130 };
        return fig;
    }

    static JsonObject Line(double[] x, IEnumerable<double> y, string name, string group, string color, double width, bool showLegend, string? dash = null)
    {
        var line = new JsonObject { ["color"] = color, ["width"] = width };
        if (dash is not null) line["dash"] = dash;
        return new JsonObject
        {
            ["type"] = "scatter", ["mode"] = "lines", ["name"] = name, ["legendgroup"] = group, ["showlegend"] = showLegend,
            ["x"] = PlotlyFigure.Numbers(x), ["y"] = PlotlyFigure.Numbers(y), ["line"] = line,
        };
    }

    static string Rgba(string hex, double alpha) =>
        $"rgba({Convert.ToInt32(hex[1..3], 16)},{Convert.ToInt32(hex[3..5], 16)},{Convert.ToInt32(hex[5..7], 16)},{alpha.ToString(CultureInfo.InvariantCulture)})";
}
