using System.Text.Json;
using System.Text.Json.Nodes;

namespace Smitin.Viz;

/// <summary>
/// A Plotly figure as plain JSON (<c>{data, layout, config}</c>), built without Plotly.NET so it works in any host
/// (notebook kernels with another FSharp.Core included). Render with <see cref="PlotlyHtml"/>.
/// </summary>
public sealed class PlotlyFigure
{
    public JsonArray Data { get; } = [];
    public JsonObject Layout { get; } = [];
    public JsonObject Config { get; } = new() { ["responsive"] = true, ["displaylogo"] = false };

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

    /// <summary>A JSON number, or null for NaN/∞ (JSON has no such numbers; Plotly shows a gap).</summary>
    public static JsonNode? Number(double v) => double.IsFinite(v) ? JsonValue.Create(v) : null;

    public static JsonArray Numbers(IEnumerable<double> values) => new(values.Select(Number).ToArray());

    public static JsonArray Strings(IEnumerable<string> values) => new(values.Select(s => (JsonNode?)JsonValue.Create(s)).ToArray());
}
