using System.Net;
using System.Text;
using Smitin.Data;

namespace Smitin.Interactive.Formatting;

/// <summary>
/// A probing dataset: its report (source, split by track, skips; segment counts once enumerated) and, to listen to,
/// the first training segment with the trait and the first without it.
/// </summary>
internal static class DatasetHtml
{
    const int ExampleSearchLimit = 200;

    internal static string Render(ProbeDataset dataset)
    {
        var sb = new StringBuilder("<div class=\"smitin-dataset\">");
        sb.Append($"<b>Probing dataset</b> for <code>{WebUtility.HtmlEncode(dataset.Trait)}</code>, ")
          .Append($"{dataset.Options.SegmentSeconds:0.##} s segments, split seed {dataset.Options.Seed}")
          .Append($"<pre>{WebUtility.HtmlEncode(dataset.Report.ToString())}</pre>");

        Segment? with = null, without = null;
        foreach (var segment in dataset.Train.Take(ExampleSearchLimit))
        {
            if (segment.HasTrait) with ??= segment; else without ??= segment;
            if (with is not null && without is not null) break;
        }
        if (with is not null || without is not null)
        {
            sb.Append("<table class=\"smitin-examples\"><tr>");
            foreach (var (segment, label) in new[] { (with, "with"), (without, "without") })
                if (segment is not null)
                    sb.Append("<td>").Append(AudioClipHtml.Render(segment.Audio,
                        $"{label} {dataset.Trait}: {segment.TrackId} @ {segment.StartSeconds:0.#} s")).Append("</td>");
            sb.Append("</tr></table>");
        }
        return sb.Append("</div>").ToString();
    }
}
