using System.Globalization;
using System.Text.Json.Nodes;
using Smitin.Probing;

namespace Smitin.Viz;

/// <summary>
/// The paper's headline figure: validation accuracy of every (layer, head) probe as a layers × heads heatmap
/// (layer 0 at the top), hover showing layer, head and accuracy; the best accuracy and τ in the title; the monitor
/// heads outlined.
/// </summary>
public static class ProbeHeatmap
{
    public static PlotlyFigure ToFigure(ProbeSet set)
    {
        int layers = set.Layers, heads = set.Heads;
        var z = new double[layers, heads];
        var hover = new string[layers, heads];
        var monitor = set.MonitorHeads.ToHashSet();
        for (int l = 0; l < layers; l++)
            for (int h = 0; h < heads; h++)
            {
                int i = l * heads + h;
                z[l, h] = set.Accuracy[i];
                hover[l, h] = string.Create(CultureInfo.InvariantCulture,
                    $"layer {l}, head {h}<br>accuracy {set.Accuracy[i]:P1}<br>train {set.TrainAccuracy[i]:P1}<br>ω {set.Omega[i]:F3}, σ {set.Sigma[i]:G3}{(monitor.Contains(i) ? "<br>monitor head" : "")}");
            }

        var best = set.BestHeads(1)[0];
        double zmin = Math.Min(0.5, set.Accuracy.Min());
        var fig = new PlotlyFigure();
        fig.Add(PlotlyTraces.Heatmap(z, Enumerable.Range(0, heads).Select(h => (double)h).ToArray(),
            Enumerable.Range(0, layers).Select(l => (double)l).ToArray(), hover, "Viridis", zmin, 1.0, "accuracy"));
        var mon = set.Monitor;
        fig.Add(PlotlyTraces.Markers(mon.Select(m => (double)m.Head).ToArray(), mon.Select(m => (double)m.Layer).ToArray(),
            $"monitor heads (top {mon.Count})", "square-open", 14, "#ff3b30",
            mon.Select(m => string.Create(CultureInfo.InvariantCulture, $"monitor head<br>layer {m.Layer}, head {m.Head}<br>accuracy {m.Accuracy:P1}")).ToArray()));

        string title = string.Create(CultureInfo.InvariantCulture,
            $"{set.Trait}: probe accuracy per head<br>best {best.Accuracy:P1} (layer {best.Layer}, head {best.Head}), τ = {set.Tau:F3}");
        fig.Layout["title"] = new JsonObject { ["text"] = title };
        // Explicit ranges: the marker trace would otherwise pad the axes beyond the heatmap cells.
        fig.Layout["xaxis"] = new JsonObject { ["title"] = new JsonObject { ["text"] = "head" }, ["dtick"] = 1, ["range"] = new JsonArray(-0.5, heads - 0.5), ["showgrid"] = false, ["zeroline"] = false };
        fig.Layout["yaxis"] = new JsonObject { ["title"] = new JsonObject { ["text"] = "layer" }, ["range"] = new JsonArray(layers - 0.5, -0.5), ["dtick"] = 1, ["showgrid"] = false, ["zeroline"] = false };
        fig.Layout["legend"] = new JsonObject { ["orientation"] = "h", ["x"] = 0, ["y"] = 1.0, ["yanchor"] = "bottom" };
        fig.Layout["showlegend"] = true;
        fig.Layout["width"] = Math.Clamp(220 + 34 * heads, 480, 1400);
        fig.Layout["height"] = Math.Clamp(200 + 26 * layers, 380, 1500);
        return fig;
    }

    /// <summary>Writes the heatmap of <paramref name="set"/> as a self-contained offline HTML page.</summary>
    public static void Save(ProbeSet set, string path) =>
        PlotlyHtml.Save(ToFigure(set), path, $"{set.Trait}: probe accuracy per head");
}
