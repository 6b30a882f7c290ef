using System.Globalization;
using Plotly.NET;
using Plotly.NET.CSharp;
using CS = Plotly.NET.CSharp;

namespace Smitin.Viz;

/// <summary>
/// The Fig. 4-style monitor chart: per trace the median (solid) and mean (dotted) of the monitor probe outputs over
/// generation time, their spread (low to high, shaded; the minimum and maximum for raw outputs), the threshold τ as a dashed line and the steps where the
/// intervention was applied as ticks along the bottom. Several traces (e.g. one per setting of s) share the axes.
/// A Plotly.NET <see cref="GenericChart"/> built with its C# API, rendered offline by <see cref="PlotlyHtml"/>.
/// </summary>
public static class MonitorTraceFigure
{
    static readonly string[] Colors = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"];

    /// <summary>
    /// The chart of <paramref name="traces"/> (validated first; <see cref="SmitinException"/> names the series and
    /// field that is wrong). Per series five Plotly.NET traces: spread upper edge, spread (filled to the upper
    /// edge), median, mean, intervention ticks; τ is a dashed layout shape with a label.
    /// </summary>
    public static GenericChart ToChart(IReadOnlyList<MonitorPlotSeries> traces, string? title = null, int width = 760, int height = 440)
    {
        if (traces.Count == 0) throw new SmitinException("monitor chart: no traces to draw");
        foreach (var t in traces) t.Validate();
        bool seconds = traces.All(t => t.FrameRate > 0);
        var charts = new List<GenericChart>();
        var shapes = new List<object>();
        var annotations = new List<object>();

        for (int i = 0; i < traces.Count; i++)
        {
            var tr = traces[i];
            string color = Colors[i % Colors.Length], group = $"trace{i}";
            double[] x = Enumerable.Range(tr.FirstStep, tr.Steps).Select(s => seconds ? s / tr.FrameRate : s).ToArray();
            var c = Color.fromString(color);

            charts.Add(CS.Chart.Line<double, double, string>(x, tr.High.Select(v => (double)v), Name: $"{tr.Name} spread (upper)",
                ShowLegend: false, LineColor: c, LineWidth: 0).WithTraceInfo(LegendGroup: group));
            charts.Add(CS.Chart.Line<double, double, string>(x, tr.Low.Select(v => (double)v), Name: $"{tr.Name} spread",
                ShowLegend: true, LineColor: c, LineWidth: 0, Fill: StyleParam.Fill.ToNext_y, FillColor: Color.fromString(Rgba(color, 0.18)))
                .WithTraceInfo(LegendGroup: group));
            charts.Add(CS.Chart.Line<double, double, string>(x, tr.Median.Select(v => (double)v), Name: $"{tr.Name} median",
                ShowLegend: true, LineColor: c, LineWidth: 2.5).WithTraceInfo(LegendGroup: group));
            charts.Add(CS.Chart.Line<double, double, string>(x, tr.Mean.Select(v => (double)v), Name: $"{tr.Name} mean",
                ShowLegend: true, LineColor: c, LineWidth: 1.5, LineDash: StyleParam.DrawingStyle.Dot).WithTraceInfo(LegendGroup: group));

            var steps = Enumerable.Range(0, tr.Steps).Where(s => tr.Intervened[s]).ToArray();
            charts.Add(CS.Chart.Point<double, double, string>(steps.Select(s => x[s]), steps.Select(_ => -0.04 - 0.05 * i),
                    Name: $"{tr.Name} intervention", ShowLegend: true)
                .WithTraceInfo(LegendGroup: group)
                .WithTraceProperties(t =>
                {
                    t.SetProperty("marker", ChartStyle.Obj(("symbol", "line-ns-open"), ("size", 9), ("color", color), ("line", ChartStyle.Obj(("width", 1.5)))));
                    t.SetProperty("hovertemplate", "intervention at %{x}<extra></extra>");
                }));

            shapes.Add(ChartStyle.Obj(("type", "line"), ("xref", "paper"), ("x0", 0), ("x1", 1), ("yref", "y"), ("y0", tr.Tau), ("y1", tr.Tau),
                ("line", ChartStyle.Obj(("color", color), ("width", 1.5), ("dash", "dash")))));
            annotations.Add(ChartStyle.Obj(("xref", "paper"), ("x", 1), ("xanchor", "right"), ("yref", "y"), ("y", tr.Tau), ("yanchor", "bottom"),
                ("text", $"τ = {tr.Tau.ToString("0.###", CultureInfo.InvariantCulture)}"), ("showarrow", false),
                ("font", ChartStyle.Obj(("color", color), ("size", 11)))));
        }

        string trait = string.Join(", ", traces.Select(t => t.Trait).Distinct());
        return CS.Chart.Combine(charts).WithSize(Width: width, Height: height)
            .WithXAxisStyle<double, double, double>(TitleText: seconds ? "time (s)" : "decoder step", ZeroLine: false)
            .WithYAxisStyle<double, double, double>(TitleText: "monitor probe output p", MinMax: Tuple.Create(-0.05 - 0.05 * traces.Count, 1.02))
            .WithLayoutProperties(l =>
        {
            // left-aligned over the plot: a centred title runs under Plotly's mode bar (top right) once it is a few words long
            l.SetProperty("title", ChartStyle.Obj(("text", title ?? $"Monitor probes during generation ({trait})"), ("x", 0), ("xref", "paper"), ("xanchor", "left")));
            l.SetProperty("shapes", shapes);
            l.SetProperty("annotations", annotations);
            l.SetProperty("legend", ChartStyle.Obj(("orientation", "h"), ("y", -0.22), ("yanchor", "top")));
            l.SetProperty("margin", ChartStyle.Obj(("t", 60), ("r", 20), ("b", 130)));
        });
    }

    /// <summary>
    /// The chart of a generation's steering record (<c>smitin generate --trace-out</c>): one series per trait and
    /// sample (<see cref="MonitorPlotSeries.FromTrace"/>), labelled by the plan (mode and α, or "monitor").
    /// </summary>
    public static GenericChart ToChart(Steering.SteeringRecord record, string? title = null)
    {
        var plan = record.Plan.Count > 0 ? record.Plan[0] : null;
        string label = record.MonitorOnly || plan is null ? "monitor"
            : string.Create(CultureInfo.InvariantCulture, $"{plan.Mode.ToUpperInvariant()} {plan.Action} α {plan.Alpha:0.##}");
        return ToChart(MonitorPlotSeries.FromTrace(label, record.Trace).ToList(), title);
    }

    /// <summary>Writes <see cref="ToChart(Steering.SteeringRecord, string?)"/> as a self-contained offline HTML page
    /// (<see cref="PlotlyHtml.Save(GenericChart, string, string)"/>: atomic).</summary>
    public static void Save(Steering.SteeringRecord record, string path, string? title = null)
    {
        string trait = string.Join(", ", record.Trace.Traits.Select(t => t.Trait));
        PlotlyHtml.Save(ToChart(record, title), path, title ?? $"Monitor trace ({trait})");
    }

    static string Rgba(string hex, double alpha) =>
        $"rgba({Convert.ToInt32(hex[1..3], 16)},{Convert.ToInt32(hex[3..5], 16)},{Convert.ToInt32(hex[5..7], 16)},{alpha.ToString(CultureInfo.InvariantCulture)})";
}
