using System.Globalization;
using System.Net;
using System.Text;
using Smitin.Audio;
using Smitin.Generation;

namespace Smitin.Interactive.Formatting;

/// <summary>A generation: one player per batch item, with the prompt, seed and the options as used.</summary>
internal static class GenerationResultHtml
{
    internal static string Render(GenerationResult result) => Render(result, null);

    internal static string Render(GenerationResult result, string? caption)
    {
        var sb = new StringBuilder("<div class=\"smitin-generation\">");
        if (caption is not null) sb.Append($"<b>{WebUtility.HtmlEncode(caption)}</b><br/>");
        sb.Append($"<small>{WebUtility.HtmlEncode(Describe(result))}</small>");
        if (result.Steering is { } steering)
            sb.Append($"<br/><small class=\"smitin-steering\">{WebUtility.HtmlEncode(SteeringHtml.Describe(steering))}</small>");
        foreach (var clip in Clips(result).Select((c, i) => (c, i)))
        {
            string text = clip.i < result.Texts.Count && result.Texts[clip.i].Length > 0 ? $"\"{result.Texts[clip.i]}\"" : "(no text)";
            sb.Append(AudioClipHtml.Render(clip.c, result.BatchSize > 1 ? $"{clip.i + 1}: {text}" : null));
        }
        if (result.Audio is null) sb.Append("<div><i>codes only (not decoded to audio)</i></div>");
        return sb.Append("</div>").ToString();
    }

    internal static string Describe(GenerationResult r)
    {
        var o = r.Options;
        string texts = r.Texts.Count == 0 ? "" : string.Join(" | ", r.Texts.Select(t => t.Length == 0 ? "(no text)" : $"\"{t}\"")) + "; ";
        string sampling = o.IsGreedy ? "greedy" : string.Create(CultureInfo.InvariantCulture, $"top-k {o.TopK}, top-p {o.TopP}, temperature {o.Temperature}");
        return string.Create(CultureInfo.InvariantCulture,
            $"{texts}seed {r.Seed}, {r.Frames} frames{(r.PromptFrames > 0 ? $" ({r.PromptFrames} from the audio prompt)" : "")}, {o.MaxNewTokens} steps, guidance {o.GuidanceScale}, {sampling}");
    }

    /// <summary>The decoded audio as one clip per batch item (none when the result holds codes only).</summary>
    internal static IEnumerable<AudioClip> Clips(GenerationResult r)
    {
        if (r.Audio is null) yield break;
        for (int b = 0; b < r.BatchSize; b++)
        {
            using var item = r.Audio[b];                                             // (C, T)
            yield return AudioClip.FromTensor(item, r.SampleRate, $"generated audio {b}");
        }
    }
}
