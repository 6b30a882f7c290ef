using System.Globalization;
using Plotly.NET;
using Plotly.NET.LayoutObjects;
using Smitin.Probing;
using Plotly.NET.CSharp;
using CS = Plotly.NET.CSharp;

namespace Smitin.Viz;

/// <summary>
/// The paper's headline figure: validation accuracy of every (layer, head) probe as a layers × heads heatmap
/// (layer 0 at the top), hover showing layer, head and accuracy; the best accuracy and τ in the title; the monitor
/// heads outlined. A Plotly.NET <see cref="GenericChart"/> (restyle it with Plotly.NET); rendered offline by
/// <see cref="PlotlyHtml"/>.
/// </summary>
public static class ProbeHeatmap
{
    /// <summary>The heatmap of <paramref name="set"/>: trace 0 the heatmap z[layer][head], trace 1 the monitor heads.</summary>
    public static GenericChart ToChart(ProbeSet set)
    {
        int layers = set.Layers, heads = set.Heads;
        var monitor = set.MonitorHeadIndices.ToHashSet();
        var z = new double[layers][];   // (layers, heads)
        var hover = new string[layers][];
        for (int l = 0; l < layers; l++)
        {
            z[l] = new double[heads];
            hover[l] = new string[heads];
            for (int h = 0; h < heads; h++)
            {
                int i = l * heads + h;
                z[l][h] = set.Accuracy[i];
                hover[l][h] = string.Create(CultureInfo.InvariantCulture,
                    $"layer {l}, head {h}<br>accuracy {set.Accuracy[i]:P1}<br>train {set.TrainAccuracy[i]:P1}<br>ω {set.Omega[i]:F3}, σ {set.Sigma[i]:G3}{(monitor.Contains(i) ? "<br>monitor head" : "")}");
            }
        }
        double zmin = Math.Min(0.5, set.Accuracy.Min());
        var heat = CS.Chart.Heatmap<double, int, int, string>(zData: z, X: Enumerable.Range(0, heads).ToArray(),
                Y: Enumerable.Range(0, layers).ToArray(), Name: "accuracy", ColorScale: StyleParam.Colorscale.Viridis, ShowLegend: false)
            .WithTraceProperties(t =>
            {
                t.SetProperty("text", hover);
                t.SetProperty("hovertemplate", "%{text}<extra></extra>");
                t.SetProperty("zmin", zmin);
                t.SetProperty("zmax", 1.0);
                t.SetProperty("colorbar", ChartStyle.Obj(("title", ChartStyle.Obj(("text", "accuracy")))));
            });

        var mon = set.Monitor;
        var markers = CS.Chart.Point<int, int, string>(x: mon.Select(m => m.Head).ToArray(), y: mon.Select(m => m.Layer).ToArray(),
                Name: $"monitor heads (top {mon.Count})", ShowLegend: true,
                MultiText: mon.Select(m => string.Create(CultureInfo.InvariantCulture, $"monitor head<br>layer {m.Layer}, head {m.Head}<br>accuracy {m.Accuracy:P1}")).ToArray())
            .WithTraceProperties(t =>
            {
                t.SetProperty("marker", ChartStyle.Obj(("symbol", "square-open"), ("size", 14), ("color", "#ff3b30"),
                    ("line", ChartStyle.Obj(("width", 2), ("color", "#ff3b30")))));
                t.SetProperty("hovertemplate", "%{text}<extra></extra>");
            });

        var best = set.BestHeads(1)[0];
        string title = string.Create(CultureInfo.InvariantCulture,
            $"{set.Trait}: probe accuracy per head<br>best {best.Accuracy:P1} (layer {best.Layer}, head {best.Head}), τ = {set.Tau:F3}");
        return CS.Chart.Combine([heat, markers])
            .WithSize(Width: Math.Clamp(220 + 34 * heads, 480, 1400), Height: Math.Clamp(200 + 26 * layers, 380, 1500))
            // Explicit ranges: the marker trace would otherwise pad the axes beyond the heatmap cells; layer 0 on top.
            .WithXAxisStyle<double, double, double>(TitleText: "head", MinMax: Tuple.Create(-0.5, heads - 0.5), ShowGrid: false, ZeroLine: false)
            .WithYAxisStyle<double, double, double>(TitleText: "layer", MinMax: Tuple.Create(layers - 0.5, -0.5), ShowGrid: false, ZeroLine: false)
            .WithLayoutProperties(l =>
            {
                l.SetProperty("title", ChartStyle.Obj(("text", title)));
                foreach (var id in new[] { "xaxis", "yaxis" })
                    if (l.TryGetTypedPropertyValue<LinearAxis>(id) is { } axis) axis.Value.SetProperty("dtick", 1);
                l.SetProperty("legend", ChartStyle.Obj(("orientation", "h"), ("x", 0), ("y", 1.0), ("yanchor", "bottom")));
                l.SetProperty("showlegend", true);
            });
    }

    /// <summary>Writes the heatmap of <paramref name="set"/> as a self-contained offline HTML page (atomically).</summary>
    public static void Save(ProbeSet set, string path) =>
        PlotlyHtml.Save(ToChart(set), path, $"{set.Trait}: probe accuracy per head");
}
