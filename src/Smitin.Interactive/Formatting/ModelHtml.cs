using System.Net;
using System.Text;
using Smitin.Models;

namespace Smitin.Interactive.Formatting;

/// <summary>A loaded model: folder, identity, device and the hyper-parameters read from config.json.</summary>
internal static class ModelHtml
{
    internal static string Render(MusicGen model)
    {
        var sb = new StringBuilder();
        sb.Append("<div class=\"smitin-model\"><b>MusicGen</b> ")
          .Append(WebUtility.HtmlEncode(model.Folder))
          .Append($" <small>(identity {WebUtility.HtmlEncode(model.Identity)}, {WebUtility.HtmlEncode(model.Device.ToString())})</small><ul>");
        foreach (var line in model.Config.Describe().Concat(model.DecodeKernelSummary()))
            sb.Append("<li><code>").Append(WebUtility.HtmlEncode(line)).Append("</code></li>");
        return sb.Append("</ul></div>").ToString();
    }
}
