using Microsoft.FSharp.Core;
using Plotly.NET;

namespace Smitin.Viz;

/// <summary>
/// Small helpers over Plotly.NET for what its C# API (Plotly.NET.CSharp 0.14.0) does not cover: plotly.js attributes
/// set directly on a chart's traces or layout (both are <c>DynamicObj</c>s, serialised as they are). Values are plain
/// .NET objects (strings, numbers, arrays, dictionaries), written by Plotly.NET's JSON serialiser.
/// </summary>
public static class ChartStyle
{
    /// <summary>Applies <paramref name="set"/> to every trace of <paramref name="chart"/> (a new chart; traces are copied by Plotly.NET's map).</summary>
    public static GenericChart WithTraceProperties(this GenericChart chart, Action<Trace> set) =>
        GenericChart.mapTrace(FuncConvert.FromFunc<Trace, Trace>(t => { set(t); return t; }), chart);

    /// <summary>Applies <paramref name="set"/> to the layout of <paramref name="chart"/>.</summary>
    public static GenericChart WithLayoutProperties(this GenericChart chart, Action<Layout> set) =>
        GenericChart.mapLayout(FuncConvert.FromFunc<Layout, Layout>(l => { set(l); return l; }), chart);

    /// <summary>A plotly.js attribute object, e.g. <c>Obj(("text", "layer"), ("font", Obj(("size", 11))))</c>.</summary>
    public static Dictionary<string, object> Obj(params (string Key, object Value)[] entries) =>
        entries.ToDictionary(e => e.Key, e => e.Value);
}
