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
        // the figures a reader (or a check of an executed notebook) wants without parsing the chart
        string attributes = string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"data-trait=\"{System.Net.WebUtility.HtmlEncode(set.Trait)}\" data-direction=\"{ProbeSetOptions.Name(set.Direction)}\" data-best-accuracy=\"{set.Accuracy.Max():0.0000}\" data-tau=\"{set.Tau:0.0000}\"");
        return $"<div class=\"smitin-probeset\" {attributes}>{PlotlyEmbed.Render(figure, "smitin-heatmap")}</div>";
    }

    internal static string Text(ProbeSet set)
    {
        var best = set.BestHeads(1)[0];
        return $"ProbeSet '{set.Trait}': {set.Layers} layers x {set.Heads} heads, best {best}, tau {set.Tau:F3}, " +
               $"direction {ProbeSetOptions.Name(set.Direction)}, monitor {string.Join(" ", set.Monitor)}";
    }
}
