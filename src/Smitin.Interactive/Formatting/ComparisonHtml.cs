using System.Globalization;
using System.Net;
using System.Text;
using Smitin.Viz;

namespace Smitin.Interactive.Formatting;

/// <summary>
/// A comparison as a table (one column per variant: player, settings, monitor figures) followed by one monitor chart
/// with every variant that has a trace.
/// </summary>
internal static class ComparisonHtml
{
    internal static string Render(Comparison comparison)
    {
        var v = comparison.Variants;
        var first = v[0].Result;
        var sb = new StringBuilder("<div class=\"smitin-compare\">");
        string prompt = first.Texts.Count > 0 && first.Texts[0].Length > 0 ? $"\"{first.Texts[0]}\"" : "(no text)";
        sb.Append($"<b>Comparison</b>: {WebUtility.HtmlEncode(prompt)}, seed {first.Seed}, same sampling for every variant<br/>");
        // JupyterLab right-aligns output table cells (":not(.jp-RenderedMarkdown).jp-RenderedHTMLCommon td", specificity
        // 0-2-1); players and settings read better left-aligned and top to top, so these selectors are more specific
        sb.Append("<style>div.smitin-compare table.smitin-compare-table th, div.smitin-compare table.smitin-compare-table td " +
                  "{ text-align: left; vertical-align: top; }</style>");
        sb.Append("<table class=\"smitin-compare-table\"><tr><th></th>");
        foreach (var x in v) sb.Append($"<th>{WebUtility.HtmlEncode(x.Label)}</th>");
        sb.Append("</tr><tr><th>audio</th>");
        foreach (var x in v)
            sb.Append("<td>").Append(string.Join("", GenerationResultHtml.Clips(x.Result).Select(c => AudioClipHtml.Render(c)))).Append("</td>");
        sb.Append("</tr><tr><th>settings</th>");
        foreach (var x in v)
            sb.Append($"<td><small>{WebUtility.HtmlEncode(x.Result.Steering is { } r ? SteeringHtml.Describe(r) : "untouched")}</small></td>");
        sb.Append("</tr><tr><th>monitor</th>");
        foreach (var x in v)
        {
            sb.Append("<td><small>");
            if (x.Result.Steering is { } r)
                foreach (var f in SteeringHtml.Figures(r))
                    sb.Append(WebUtility.HtmlEncode($"{f.Trait}: {f.Describe()}")).Append("<br/>");
            sb.Append("</small></td>");
        }
        sb.Append("</tr></table>");
        if (comparison.ToMonitorChart() is { } chart)
            sb.Append(MonitorTraceHtml.Render(chart));
        return sb.Append("</div>").ToString();
    }
}
