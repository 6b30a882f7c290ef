using Smitin.Viz;

namespace Smitin.Interactive;

/// <summary>
/// Several monitor series on one Fig. 4-style chart (e.g. the variants of a comparison, or one run per interval s),
/// as a value a cell can display.
/// </summary>
public sealed record MonitorChart(IReadOnlyList<MonitorPlotSeries> Traces, string? Title = null)
{
    /// <summary>The chart as a Plotly.NET chart (<see cref="MonitorTraceFigure.ToChart"/>), to restyle or save.</summary>
    public Plotly.NET.GenericChart ToChart() => MonitorTraceFigure.ToChart(Traces, Title);
}
