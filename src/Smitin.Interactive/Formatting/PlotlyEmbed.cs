using System.Runtime.CompilerServices;
using Microsoft.DotNet.Interactive;

namespace Smitin.Interactive.Formatting;

/// <summary>
/// Renders plotly.js figures as notebook HTML that works offline: the first chart shown in a notebook (root
/// kernel) carries the whole plotly.js library inline (about 3.5 MB, no CDN, no require.js); later charts only
/// carry their figure JSON and draw once <c>window.Plotly</c> exists. Outside a kernel every chart is self-contained.
/// </summary>
internal static class PlotlyEmbed
{
    static readonly ConditionalWeakTable<Kernel, object> LibraryShown = new();

    /// <summary>plotly.js source; set once from the engine's Smitin.Viz (plotly.js 2.28.0 embedded in Plotly.NET.dll).</summary>
    internal static Func<string> Library { get; set; } = () => throw new SmitinException("plotly.js is not available in this build");

    internal static string Render(string figureJson, string cssClass)
    {
        string id = "smitin-plot-" + Guid.NewGuid().ToString("N")[..12];
        string library = NeedsLibrary() ? LibraryScript() : "";
        return $"<div class=\"smitin-plot {cssClass}\">{library}<div id=\"{id}\" class=\"smitin-plot-area\"></div>" +
               "<script type=\"text/javascript\">(function () {" +
               $"var fig = {EscapeForScript(figureJson)};" +
               $"function draw() {{ var el = document.getElementById('{id}'); if (el) window.Plotly.newPlot(el, fig.data, fig.layout, {{displaylogo: false, responsive: true}}); }}" +
               "if (window.Plotly) { draw(); } else { (window.smitinPlotlyQueue = window.smitinPlotlyQueue || []).push(draw);" +
               $" setTimeout(function () {{ if (!window.Plotly) {{ var el = document.getElementById('{id}'); if (el) el.textContent = 'plotly.js is not loaded in this page: re-run the first chart cell of the notebook.'; }} }}, 10000); }}" +
               "})();</script></div>";
    }

    /// <summary>True the first time per notebook, or always when not running inside a kernel.</summary>
    static bool NeedsLibrary()
    {
        var root = KernelInvocationContext.Current?.HandlingKernel?.RootKernel;
        if (root is null) return true;
        lock (LibraryShown)
        {
            if (LibraryShown.TryGetValue(root, out _)) return false;
            LibraryShown.Add(root, new object());
            return true;
        }
    }

    /// <summary>
    /// The library in a wrapper that hides AMD/CommonJS loaders (Jupyter pages may have require.js), so plotly.js
    /// always sets <c>window.Plotly</c>; then drains the queue of charts waiting for it.
    /// </summary>
    static string LibraryScript() =>
        "<script type=\"text/javascript\">if (!window.Plotly) { (function (define, module, exports) {\n" +
        EscapeForScript(Library()) +
        "\n}).call(window); }\n(window.smitinPlotlyQueue || []).splice(0).forEach(function (f) { f(); });</script>";

    /// <summary>Makes text safe inside an HTML &lt;script&gt; element (no premature &lt;/script&gt;).</summary>
    internal static string EscapeForScript(string js) =>
        js.Replace("</script", "<\\/script", StringComparison.OrdinalIgnoreCase).Replace("<!--", "<\\!--");
}
