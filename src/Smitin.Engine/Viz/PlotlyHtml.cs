using System.Text;
using Plotly.NET;

namespace Smitin.Viz;

/// <summary>
/// Self-contained HTML for Plotly.NET charts (<see cref="GenericChart"/>, via <see cref="PlotlyFigure"/>): plotly.js
/// 2.28.0 is inlined (no CDN, works offline). The script is the copy Plotly.NET 6.0.0 embeds as the resource
/// <c>Plotly.NET.plotly-2.28.0.min.js</c> (the same one Plotly.NET's <c>PlotlyJSReference.Full</c> inlines).
/// <see cref="Page(PlotlyFigure, string)"/> gives a whole document, <see cref="Fragment(PlotlyFigure, bool, string?)"/>
/// a <c>div</c> + <c>script</c> for hosts such as
/// notebooks, which include <see cref="LibraryScript"/> or <see cref="CompressedLibraryScript"/> and any number of
/// fragments, in either order. Unlike Plotly.NET's own HTML, nothing is fetched and AMD loaders (require.js in
/// classic Jupyter) are side-stepped.
/// </summary>
public static class PlotlyHtml
{
    /// <summary>Version of the plotly.js inlined in every page and fragment.</summary>
    public const string PlotlyJsVersion = "2.28.0";
    const string ResourceName = "Plotly.NET.plotly-2.28.0.min.js";

    static readonly Lazy<string> Js = new(LoadPlotlyJs);

    /// <summary>plotly.min.js 2.28.0 (about 3.5 MB).</summary>
    public static string PlotlyJs => Js.Value;

    /// <summary>
    /// A <c>&lt;script&gt;</c> element defining <c>window.Plotly</c>. The UMD wrapper is given undefined
    /// <c>define</c>/<c>module</c>/<c>exports</c>, so hosts with require.js (classic Jupyter) still get the global;
    /// then fragments that were queued before it loaded are drawn. About 3.5 MB.
    /// </summary>
    public static string LibraryScript()
    {
        var sb = new StringBuilder(PlotlyJs.Length + 512);
        sb.Append("<script type=\"text/javascript\">/* plotly.js ").Append(PlotlyJsVersion).Append(", inlined by Smitin */\n");
        sb.Append("if (!window.Plotly) { (function(define, module, exports) {\n");
        sb.Append(PlotlyJs.Replace("</script", "<\\/script", StringComparison.OrdinalIgnoreCase));
        sb.Append("\n}).call(window, undefined, undefined, undefined); }\n");
        sb.Append(FlushQueue).Append("</script>\n");
        return sb.ToString();
    }

    /// <summary>
    /// The same library as <see cref="LibraryScript"/>, gzip-compressed and base64-encoded (about 1.4 MB instead of
    /// 3.5 MB), for outputs that must each be able to draw on their own (notebook cells: a re-run, cleared or
    /// reordered cell must not take the only copy with it). The first such script on a page inflates it with the
    /// browser's <c>DecompressionStream</c> and runs it as an inline script (same hiding of AMD loaders); any later
    /// copy sees <c>window.Plotly</c> (or the load in flight) and does nothing. Charts queue until it is ready.
    /// </summary>
    public static string CompressedLibraryScript()
    {
        string b64 = CompressedJs.Value;
        var sb = new StringBuilder(b64.Length + 1024);
        sb.Append("<script type=\"text/javascript\">/* plotly.js ").Append(PlotlyJsVersion).Append(", inlined by Smitin (gzip, base64) */\n");
        sb.Append("(function () {\n");
        sb.Append("  if (window.Plotly || window.__smitinPlotlyLoading) return;\n");
        sb.Append("  window.__smitinPlotlyLoading = true;\n");
        sb.Append("  var b = atob(\"").Append(b64).Append("\"), u = new Uint8Array(b.length);\n");
        sb.Append("  for (var i = 0; i < b.length; i++) u[i] = b.charCodeAt(i);\n");
        sb.Append("  new Response(new Blob([u]).stream().pipeThrough(new DecompressionStream('gzip'))).text().then(function (js) {\n");
        sb.Append("    var s = document.createElement('script');\n");
        sb.Append("    s.text = '(function(define, module, exports) {\\n' + js + '\\n}).call(window, undefined, undefined, undefined);';\n");
        sb.Append("    document.head.appendChild(s);\n");
        sb.Append("    window.__smitinPlotlyLoading = false;\n");
        sb.Append("    ").Append(FlushQueue);
        sb.Append("  }, function (e) { window.__smitinPlotlyLoading = false; console.error('Smitin: plotly.js could not be inflated', e); });\n");
        sb.Append("})();\n</script>\n");
        return sb.ToString();
    }

    const string FlushQueue = "(window.__smitinPlotlyQueue || []).splice(0).forEach(function (f) { f(); });\n";

    static readonly Lazy<string> CompressedJs = new(() =>
    {
        var bytes = Encoding.UTF8.GetBytes(PlotlyJs);
        using var ms = new MemoryStream();
        using (var gz = new System.IO.Compression.GZipStream(ms, System.IO.Compression.CompressionLevel.SmallestSize, leaveOpen: true))
            gz.Write(bytes);
        return Convert.ToBase64String(ms.GetBuffer(), 0, (int)ms.Length);
    });

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

    /// <summary>A <c>div</c> and the script that draws the Plotly.NET <paramref name="chart"/> (see <see cref="PlotlyFigure.FromChart"/>).</summary>
    public static string Fragment(GenericChart chart, bool includeLibrary = false, string? divId = null) =>
        Fragment(PlotlyFigure.FromChart(chart), includeLibrary, divId);

    /// <summary>A complete offline HTML document showing the Plotly.NET <paramref name="chart"/>.</summary>
    public static string Page(GenericChart chart, string title) => Page(PlotlyFigure.FromChart(chart), title);

    /// <summary>Writes <see cref="Page(GenericChart, string)"/> atomically to <paramref name="path"/>.</summary>
    public static void Save(GenericChart chart, string path, string title) => AtomicFile.WriteAllText(path, Page(chart, title));

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

    /// <summary>Writes <see cref="Page(PlotlyFigure, string)"/> atomically to <paramref name="path"/>.</summary>
    public static void Save(PlotlyFigure figure, string path, string title) => AtomicFile.WriteAllText(path, Page(figure, title));

    static string LoadPlotlyJs()
    {
        var asm = typeof(GenericChart).Assembly;
        using var stream = asm.GetManifestResourceStream(ResourceName)
            ?? throw new SmitinException($"{asm.Location}: resource '{ResourceName}' not found (expected Plotly.NET 6.0.0, which embeds plotly.js {PlotlyJsVersion})");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        string js = reader.ReadToEnd();
        if (!js.Contains("plotly.js v" + PlotlyJsVersion, StringComparison.Ordinal))
            throw new SmitinException($"{asm.Location}: resource '{ResourceName}' is not plotly.js {PlotlyJsVersion}");
        return js;
    }
}
