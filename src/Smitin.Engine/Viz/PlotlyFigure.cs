using System.Text.Json;
using System.Text.Json.Nodes;

namespace Smitin.Viz;

/// <summary>
/// Small helpers to write plotly.js figure JSON (<c>{"data": [...], "layout": {...}}</c>) by hand, without
/// Plotly.NET's F# API (which cannot run inside the .NET Interactive host: FSharp.Core version conflict).
/// </summary>
public static class PlotlyFigure
{
    public static JsonObject Figure(JsonArray data, JsonObject layout) => new() { ["data"] = data, ["layout"] = layout };

    /// <summary>A JSON array of numbers; non-finite values become null (a gap in plotly).</summary>
    public static JsonArray Numbers(IEnumerable<double> values) =>
        new(values.Select(v => double.IsFinite(v) ? JsonValue.Create(Math.Round(v, 6)) : null).ToArray<JsonNode?>());

    public static string ToJson(JsonObject figure) => figure.ToJsonString(new JsonSerializerOptions { WriteIndented = false });
}
