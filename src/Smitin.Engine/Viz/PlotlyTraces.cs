using System.Text.Json.Nodes;

namespace Smitin.Viz;

/// <summary>Plotly trace objects (heatmap, lines, markers) with only the attributes Smitin's figures use.</summary>
public static class PlotlyTraces
{
    /// <summary>
    /// A heatmap of <paramref name="z"/>[row, column]; row r is drawn at y = <paramref name="y"/>[r].
    /// <paramref name="hover"/> (same shape, optional) is shown on hover instead of Plotly's default label.
    /// </summary>
    public static JsonObject Heatmap(double[,] z, IReadOnlyList<double> x, IReadOnlyList<double> y, string[,]? hover = null,
        string colorscale = "Viridis", double? zmin = null, double? zmax = null, string? colorbarTitle = null)
    {
        int rows = z.GetLength(0), cols = z.GetLength(1);
        if (x.Count != cols || y.Count != rows) throw new ArgumentException($"heatmap: z is {rows}x{cols} but x has {x.Count} and y {y.Count} values");
        var trace = new JsonObject
        {
            ["type"] = "heatmap",
            ["z"] = new JsonArray(Enumerable.Range(0, rows).Select(r => (JsonNode?)PlotlyFigure.Numbers(Enumerable.Range(0, cols).Select(c => z[r, c]))).ToArray()),
            ["x"] = PlotlyFigure.Numbers(x),
            ["y"] = PlotlyFigure.Numbers(y),
            ["colorscale"] = colorscale,
        };
        if (zmin is { } lo) trace["zmin"] = lo;
        if (zmax is { } hi) trace["zmax"] = hi;
        if (colorbarTitle is not null) trace["colorbar"] = new JsonObject { ["title"] = new JsonObject { ["text"] = colorbarTitle } };
        if (hover is not null)
        {
            if (hover.GetLength(0) != rows || hover.GetLength(1) != cols) throw new ArgumentException("heatmap: hover text must have the shape of z");
            trace["text"] = new JsonArray(Enumerable.Range(0, rows).Select(r => (JsonNode?)PlotlyFigure.Strings(Enumerable.Range(0, cols).Select(c => hover[r, c]))).ToArray());
            trace["hovertemplate"] = "%{text}<extra></extra>";
        }
        return trace;
    }

    /// <summary>A line (optionally with markers); <paramref name="dash"/> e.g. <c>dash</c>, <c>dot</c>.</summary>
    public static JsonObject Line(IReadOnlyList<double> x, IReadOnlyList<double> y, string name, string? dash = null,
        string? color = null, bool markers = false)
    {
        if (x.Count != y.Count) throw new ArgumentException($"line '{name}': {x.Count} x values but {y.Count} y values");
        var line = new JsonObject();
        if (dash is not null) line["dash"] = dash;
        if (color is not null) line["color"] = color;
        return new JsonObject
        {
            ["type"] = "scatter",
            ["mode"] = markers ? "lines+markers" : "lines",
            ["name"] = name,
            ["x"] = PlotlyFigure.Numbers(x),
            ["y"] = PlotlyFigure.Numbers(y),
            ["line"] = line,
        };
    }

    /// <summary>Markers only, e.g. to outline chosen cells of a heatmap (<c>symbol</c>: <c>square-open</c>, <c>x</c>, …).</summary>
    public static JsonObject Markers(IReadOnlyList<double> x, IReadOnlyList<double> y, string name, string symbol = "square-open",
        double size = 12, string color = "#ff3b30", IReadOnlyList<string>? hover = null)
    {
        if (x.Count != y.Count) throw new ArgumentException($"markers '{name}': {x.Count} x values but {y.Count} y values");
        var trace = new JsonObject
        {
            ["type"] = "scatter",
            ["mode"] = "markers",
            ["name"] = name,
            ["x"] = PlotlyFigure.Numbers(x),
            ["y"] = PlotlyFigure.Numbers(y),
            ["marker"] = new JsonObject { ["symbol"] = symbol, ["size"] = size, ["color"] = color, ["line"] = new JsonObject { ["width"] = 2, ["color"] = color } },
        };
        if (hover is not null)
        {
            trace["text"] = PlotlyFigure.Strings(hover);
            trace["hovertemplate"] = "%{text}<extra></extra>";
        }
        return trace;
    }
}
