using Smitin.Probing;
using Smitin.Viz;

namespace Smitin.Interactive.Formatting;

/// <summary>A probe set as its interactive layers × heads accuracy heatmap (<see cref="ProbeHeatmap"/>).</summary>
internal static class ProbeSetHtml
{
    internal static string Render(ProbeSet set)
    {
        var figure = PlotlyFigure.FromChart(ProbeHeatmap.ToChart(set));
        // Plotly titles do not wrap: on narrow figures (few heads) put best accuracy and τ on a second line.
        if (figure.Layout["width"]?.GetValue<int>() < 800 && figure.Layout["title"]?["text"]?.GetValue<string>() is { } title)
            figure.Layout["title"]!["text"] = title.Replace(" — ", "<br>", StringComparison.Ordinal);
        return PlotlyEmbed.Render(figure, "smitin-heatmap");
    }

    internal static string Text(ProbeSet set)
    {
        var best = set.BestHeads(1)[0];
        return $"ProbeSet '{set.Trait}': {set.Layers} layers x {set.Heads} heads, best {best}, tau {set.Tau:F3}, " +
               $"direction {ProbeSetOptions.Name(set.Direction)}, monitor {string.Join(" ", set.Monitor)}";
    }
}
