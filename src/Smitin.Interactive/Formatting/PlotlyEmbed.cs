using Smitin.Viz;

namespace Smitin.Interactive.Formatting;

/// <summary>
/// Charts as notebook HTML that works offline and survives what users do to cells: every chart output carries
/// plotly.js itself (<see cref="PlotlyHtml.CompressedLibraryScript"/>: gzip + base64, about 1.4 MB, no CDN, AMD
/// loaders hidden), so re-running, clearing or reordering cells never removes the copy another chart depended on.
/// On a page the first library script inflates plotly.js once; the others see it loaded and do nothing.
/// </summary>
internal static class PlotlyEmbed
{
    internal static string Render(PlotlyFigure figure, string cssClass) =>
        $"<div class=\"smitin-plot {cssClass}\">{PlotlyHtml.CompressedLibraryScript()}<div class=\"smitin-plot-area\">{PlotlyHtml.Fragment(figure)}</div></div>";
}
