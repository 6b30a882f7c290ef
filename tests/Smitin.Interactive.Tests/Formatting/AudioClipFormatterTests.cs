using System.Text.RegularExpressions;
using Microsoft.DotNet.Interactive.Formatting;
using Smitin.Audio;
using Smitin.Interactive.Tests.Support;

namespace Smitin.Interactive.Tests.Formatting;

public class AudioClipFormatterTests
{
    public AudioClipFormatterTests() => Smitin.Interactive.Formatting.SmitinFormatters.Register();

    static AudioClip Tone(double seconds = 0.25, int rate = 32000)
    {
        var x = new float[(int)(seconds * rate)];
        for (int i = 0; i < x.Length; i++) x[i] = 0.5f * MathF.Sin(2 * MathF.PI * 440 * i / rate) * (i < x.Length / 2 ? 1f : 0.25f);
        return AudioClip.Mono(x, rate);
    }

    [Fact]
    public async Task Cell_returning_a_clip_shows_player_with_embedded_wav_and_waveform()
    {
        var (nb, _) = await NotebookKernel.CreateAsync();
        using var __ = nb;
        var r = await nb.SubmitAsync("var x = new float[8000]; for (int i = 0; i < x.Length; i++) x[i] = 0.5f * MathF.Sin(i * 0.1f);\nSmitin.Audio.AudioClip.Mono(x, 32000)");
        r.Succeeded();
        string html = Assert.Single(r.Html());
        Assert.Contains("<audio controls", html);
        Assert.Contains("class=\"smitin-waveform\"", html);
        Assert.Contains("0.25", html); // 8000 frames at 32 kHz, described under the player
    }

    [Fact]
    public void Html_has_player_whose_wav_decodes_back_to_the_clip()
    {
        var clip = Tone();
        string html = clip.ToDisplayString(HtmlFormatter.MimeType);
        var m = Regex.Match(html, "<audio controls[^>]*src=\"data:audio/wav;base64,([A-Za-z0-9+/=]+)\"");
        Assert.True(m.Success, "no <audio controls src=data:audio/wav;base64,...> in: " + html[..Math.Min(300, html.Length)]);
        var back = AudioClip.FromWavBytes(Convert.FromBase64String(m.Groups[1].Value));
        Assert.Equal(clip.SampleRate, back.SampleRate);
        Assert.Equal(clip.Frames, back.Frames);
        for (int i = 0; i < clip.Frames; i += 97) Assert.InRange(back.Samples[0][i] - clip.Samples[0][i], -1e-4f, 1e-4f);
    }

    [Fact]
    public void Waveform_envelope_follows_the_signal_level()
    {
        string html = Tone().ToDisplayString(HtmlFormatter.MimeType);
        var svg = Regex.Match(html, "<svg class=\"smitin-waveform\".*?</svg>", RegexOptions.Singleline).Value;
        Assert.Contains("peak -6.0 dBFS", svg);
        var d = Regex.Match(svg, "<path d=\"([^\"]+)\"").Groups[1].Value;
        var ys = Regex.Matches(d, "[ML]([0-9.]+),([0-9.]+)").Select(p => (X: double.Parse(p.Groups[1].Value), Y: double.Parse(p.Groups[2].Value))).ToList();
        // upper contour: loud first half reaches the top (y ~ 1), quiet second half stays near the middle (y ~ 32 - 31/4)
        var upper = ys.Take(ys.Count / 2).ToList();
        Assert.InRange(upper.Where(p => p.X < 200).Min(p => p.Y), 0, 2);
        Assert.InRange(upper.Where(p => p.X > 280).Min(p => p.Y), 22, 26);
    }
}
