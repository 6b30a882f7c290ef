using System.Text.Json;
using System.Text.Json.Nodes;
using Plotly.NET;

namespace Smitin.Viz;

/// <summary>
/// A Plotly figure as plain JSON (<c>{data, layout, config}</c>), what <see cref="PlotlyHtml"/> writes into a page.
/// Charts are built with Plotly.NET (<see cref="GenericChart"/>); <see cref="FromChart"/> takes their figure JSON
/// (<c>GenericChart.toFigureJson</c>) and config as Plotly.NET serialises them.
/// </summary>
public sealed class PlotlyFigure
{
    /// <summary>The traces (Plotly <c>data</c>).</summary>
    public JsonArray Data { get; } = [];
    /// <summary>The Plotly <c>layout</c>.</summary>
    public JsonObject Layout { get; } = [];
    /// <summary>The Plotly <c>config</c> (responsive, no logo by default).</summary>
    public JsonObject Config { get; } = new() { ["responsive"] = true, ["displaylogo"] = false };

    /// <summary>
    /// The figure of <paramref name="chart"/>: its traces, layout and config (Smitin's defaults <c>responsive</c>
    /// and <c>displaylogo: false</c> where the chart's config does not set them).
    /// </summary>
    public static PlotlyFigure FromChart(GenericChart chart)
    {
        ArgumentNullException.ThrowIfNull(chart);
        var parsed = JsonNode.Parse(GenericChart.toFigureJson(chart))!.AsObject();
        var fig = new PlotlyFigure();
        foreach (var trace in parsed["data"]?.AsArray() ?? []) fig.Data.Add(trace?.DeepClone());
        foreach (var (key, value) in parsed["layout"]?.AsObject() ?? []) fig.Layout[key] = value?.DeepClone();
        var config = JsonNode.Parse(Newtonsoft.Json.JsonConvert.SerializeObject(GenericChart.getConfig(chart)))?.AsObject();
        foreach (var (key, value) in config ?? []) fig.Config[key] = value?.DeepClone();
        return fig;
    }

    /// <summary>Appends a trace and returns this figure.</summary>
    public PlotlyFigure Add(JsonObject trace)
    {
        Data.Add(trace);
        return this;
    }

    /// <summary>
    /// The figure as JSON. The default encoder escapes <c>&lt;</c>, <c>&gt;</c> and <c>&amp;</c>, so the text can be
    /// embedded in a <c>&lt;script&gt;</c> element as is.
    /// </summary>
    public string ToJson() => new JsonObject
    {
        ["data"] = Data.DeepClone(),
        ["layout"] = Layout.DeepClone(),
        ["config"] = Config.DeepClone(),
    }.ToJsonString(new JsonSerializerOptions { WriteIndented = false });
}
