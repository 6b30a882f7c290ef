using Smitin.Probing;
using Smitin.Viz;

namespace Smitin.Interactive.Formatting;

/// <summary>A probe set as its interactive layers × heads accuracy heatmap (<see cref="ProbeHeatmap"/>).</summary>
internal static class ProbeSetHtml
{
    internal static string Render(ProbeSet set) => PlotlyEmbed.Render(ProbeHeatmap.ToFigure(set), "smitin-heatmap");
}
