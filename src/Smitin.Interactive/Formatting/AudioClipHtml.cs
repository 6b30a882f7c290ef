using System.Net;
using Smitin.Audio;

namespace Smitin.Interactive.Formatting;

/// <summary>
/// An audio clip as HTML: waveform picture, an <c>&lt;audio controls&gt;</c> player with the clip embedded as a
/// 16-bit PCM WAV data URI (about 85 KB of HTML per second of 32 kHz mono), and a one-line description.
/// </summary>
internal static class AudioClipHtml
{
    internal static string Render(AudioClip clip) => Render(clip, caption: null);

    /// <param name="width">waveform width in pixels</param>
    /// <param name="height">waveform height in pixels</param>
    internal static string Render(AudioClip clip, string? caption = null, int width = 480, int height = 64)
    {
        string wav = Convert.ToBase64String(clip.ToWavBytes(WavEncoding.Pcm16));
        string title = caption is null ? "" : $"<div class=\"smitin-audio-caption\"><b>{WebUtility.HtmlEncode(caption)}</b></div>";
        return $"<div class=\"smitin-audio\">{title}{WaveformSvg.Render(clip, width, height)}<br/>" +
               $"<audio controls preload=\"metadata\" src=\"data:audio/wav;base64,{wav}\"></audio>" +
               $"<div class=\"smitin-audio-info\"><small>{WebUtility.HtmlEncode(clip.Describe())}</small></div></div>";
    }
}
