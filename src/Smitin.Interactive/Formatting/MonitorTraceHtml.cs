using Smitin.Viz;

namespace Smitin.Interactive.Formatting;

/// <summary>One or more monitor traces as the Fig. 4-style chart (figure built by <see cref="MonitorTraceFigure"/>).</summary>
internal static class MonitorTraceHtml
{
    internal static string Render(MonitorPlotSeries series) => Render([series], null);

    internal static string Render(MonitorChart chart) => Render(chart.Traces, chart.Title);

    static string Render(IReadOnlyList<MonitorPlotSeries> traces, string? title) =>
        PlotlyEmbed.Render(PlotlyFigure.FromChart(MonitorTraceFigure.ToChart(traces, title)), "smitin-trace");
}
