using System.Reflection;
using System.Runtime.Loader;
using System.Text;

namespace Smitin.Viz;

/// <summary>
/// Self-contained HTML for <see cref="PlotlyFigure"/>s: plotly.js 2.28.0 is inlined (no CDN, works offline).
/// The script is the copy Plotly.NET 6.0.0 embeds as the resource <c>Plotly.NET.plotly-2.28.0.min.js</c>; it is read
/// with <see cref="Assembly.GetManifestResourceStream(string)"/> from <c>plotlyjs/Plotly.NET.dll</c> loaded into an
/// isolated, collectible context — no Plotly.NET/F# code is ever executed.
/// <see cref="Page"/> gives a whole document, <see cref="Fragment"/> a <c>div</c> + <c>script</c> for hosts such as
/// notebooks, which include <see cref="LibraryScript"/> once and then any number of fragments, in either order.
/// </summary>
public static class PlotlyHtml
{
    public const string PlotlyJsVersion = "2.28.0";
    const string ResourceAssembly = "Plotly.NET";
    const string ResourceName = "Plotly.NET.plotly-2.28.0.min.js";

    static readonly Lazy<string> Js = new(LoadPlotlyJs);

    /// <summary>plotly.min.js 2.28.0 (about 3.5 MB).</summary>
    public static string PlotlyJs => Js.Value;

    /// <summary>
    /// A <c>&lt;script&gt;</c> element defining <c>window.Plotly</c>. The UMD wrapper is given undefined
    /// <c>define</c>/<c>module</c>/<c>exports</c>, so hosts with require.js (classic Jupyter) still get the global;
    /// then fragments that were queued before it loaded are drawn.
    /// </summary>
    public static string LibraryScript()
    {
        var sb = new StringBuilder(PlotlyJs.Length + 512);
        sb.Append("<script type=\"text/javascript\">/* plotly.js ").Append(PlotlyJsVersion).Append(", inlined by Smitin */\n");
        sb.Append("if (!window.Plotly) { (function(define, module, exports) {\n");
        sb.Append(PlotlyJs.Replace("</script", "<\\/script", StringComparison.OrdinalIgnoreCase));
        sb.Append("\n}).call(window, undefined, undefined, undefined); }\n");
        sb.Append("(window.__smitinPlotlyQueue || []).splice(0).forEach(function (f) { f(); });\n</script>\n");
        return sb.ToString();
    }

    /// <summary>A <c>div</c> and the script that draws <paramref name="figure"/> into it once plotly.js is available.</summary>
    public static string Fragment(PlotlyFigure figure, bool includeLibrary = false, string? divId = null)
    {
        divId ??= "smitin-plot-" + Guid.NewGuid().ToString("N")[..12];
        if (divId.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_')))
            throw new ArgumentException($"div id '{divId}': use letters, digits, '-' and '_' only");
        var sb = new StringBuilder();
        if (includeLibrary) sb.Append(LibraryScript());
        sb.Append("<div id=\"").Append(divId).Append("\"></div>\n");
        sb.Append("<script type=\"text/javascript\">(function () {\n  var fig = ").Append(figure.ToJson()).Append(";\n");
        sb.Append("  var draw = function () { window.Plotly.newPlot('").Append(divId).Append("', fig.data, fig.layout, fig.config); };\n");
        sb.Append("  if (window.Plotly) draw(); else (window.__smitinPlotlyQueue = window.__smitinPlotlyQueue || []).push(draw);\n");
        sb.Append("})();</script>\n");
        return sb.ToString();
    }

    /// <summary>A complete offline HTML document showing <paramref name="figure"/>.</summary>
    public static string Page(PlotlyFigure figure, string title)
    {
        var sb = new StringBuilder(PlotlyJs.Length + 64 * 1024);
        sb.Append("<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n<title>")
          .Append(System.Net.WebUtility.HtmlEncode(title)).Append("</title>\n");
        sb.Append(LibraryScript());
        sb.Append("</head>\n<body>\n");
        sb.Append(Fragment(figure, includeLibrary: false, divId: "smitin-plot"));
        sb.Append("</body>\n</html>\n");
        return sb.ToString();
    }

    /// <summary>Writes <see cref="Page"/> atomically to <paramref name="path"/>.</summary>
    public static void Save(PlotlyFigure figure, string path, string title) => AtomicFile.WriteAllText(path, Page(figure, title));

    static string LoadPlotlyJs()
    {
        // The dll sits in plotlyjs/ next to Smitin.Engine.dll (copied there by the build, never an assembly reference).
        var candidates = new[] { Path.GetDirectoryName(typeof(PlotlyHtml).Assembly.Location), AppContext.BaseDirectory }
            .Where(d => !string.IsNullOrEmpty(d)).Select(d => Path.Combine(d!, "plotlyjs", ResourceAssembly + ".dll")).Distinct().ToArray();
        string path = candidates.FirstOrDefault(File.Exists)
            ?? throw new SmitinException($"plotly.js {PlotlyJsVersion} is read from {ResourceAssembly}.dll (NuGet Plotly.NET 6.0.0), which was not found at {string.Join(" or ", candidates)}; it is deployed with Smitin.Engine");

        // A collectible context keeps it apart from any Plotly.NET/FSharp.Core the host has loaded; only metadata and
        // the resource are read, no code of the assembly runs.
        var context = new AssemblyLoadContext("smitin-plotly-js", isCollectible: true);
        try
        {
            var asm = context.LoadFromAssemblyPath(path);
            using var stream = asm.GetManifestResourceStream(ResourceName)
                ?? throw new SmitinException($"{path}: resource '{ResourceName}' not found (expected Plotly.NET 6.0.0, which embeds plotly.js {PlotlyJsVersion})");
            using var reader = new StreamReader(stream, Encoding.UTF8);
            string js = reader.ReadToEnd();
            if (!js.Contains("plotly.js v" + PlotlyJsVersion, StringComparison.Ordinal))
                throw new SmitinException($"{path}: resource '{ResourceName}' is not plotly.js {PlotlyJsVersion}");
            return js;
        }
        catch (BadImageFormatException e)
        {
            throw new SmitinException($"{path}: not a readable .NET assembly ({e.Message})", e);
        }
        finally
        {
            context.Unload();
        }
    }
}
