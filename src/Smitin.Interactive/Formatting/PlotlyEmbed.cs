using System.Runtime.CompilerServices;
using Microsoft.DotNet.Interactive;
using Smitin.Viz;

namespace Smitin.Interactive.Formatting;

/// <summary>
/// Charts as notebook HTML that works offline: the first chart shown in a notebook (root kernel) carries the whole
/// plotly.js library inline (<see cref="PlotlyHtml.LibraryScript"/>, about 3.5 MB, no CDN, AMD loaders hidden);
/// later charts only carry their figure and draw once <c>window.Plotly</c> exists. Outside a kernel (e.g. a test
/// calling the formatter directly) every chart is self-contained.
/// </summary>
internal static class PlotlyEmbed
{
    static readonly ConditionalWeakTable<Kernel, object> LibraryShown = new();

    internal static string Render(PlotlyFigure figure, string cssClass)
    {
        string library = NeedsLibrary() ? PlotlyHtml.LibraryScript() : "";
        return $"<div class=\"smitin-plot {cssClass}\">{library}<div class=\"smitin-plot-area\">{PlotlyHtml.Fragment(figure)}</div></div>";
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
}
