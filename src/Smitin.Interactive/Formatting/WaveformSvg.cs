using System.Globalization;
using System.Text;
using Smitin.Audio;

namespace Smitin.Interactive.Formatting;

/// <summary>
/// A small waveform picture (inline SVG, no script): per pixel column the min and max sample over all channels,
/// drawn as one filled envelope, scaled to the clip's peak (the peak level is printed next to it).
/// </summary>
internal static class WaveformSvg
{
    internal static string Render(AudioClip clip, int width = 480, int height = 64)
    {
        int columns = Math.Max(1, Math.Min(width, clip.Frames));
        var lo = new float[columns];
        var hi = new float[columns];
        for (int x = 0; x < columns; x++)
        {
            int start = (int)((long)x * clip.Frames / columns);
            int end = Math.Max(start + 1, (int)((long)(x + 1) * clip.Frames / columns));
            float min = 0, max = 0;
            foreach (var channel in clip.Samples)
                for (int t = start; t < end && t < channel.Length; t++)
                {
                    float v = float.IsFinite(channel[t]) ? channel[t] : 0;
                    if (v < min) min = v;
                    if (v > max) max = v;
                }
            lo[x] = min; hi[x] = max;
        }
        float peak = Math.Max(1e-6f, Math.Max(hi.DefaultIfEmpty(0).Max(), -lo.DefaultIfEmpty(0).Min()));
        double mid = height / 2.0, scale = (height / 2.0 - 1) / peak, step = (double)width / columns;

        var path = new StringBuilder();
        for (int x = 0; x < columns; x++)
            path.Append(x == 0 ? 'M' : 'L').Append(F(x * step)).Append(',').Append(F(mid - hi[x] * scale)).Append(' ');
        for (int x = columns - 1; x >= 0; x--)
            path.Append('L').Append(F((x + 1) * step)).Append(',').Append(F(mid - lo[x] * scale)).Append(' ');
        path.Append('Z');

        string peakDb = clip.Frames == 0 || peak <= 1e-6f ? "silent" : $"peak {20 * Math.Log10(peak):F1} dBFS";
        return $"<svg class=\"smitin-waveform\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" " +
               $"viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"waveform, {peakDb}\">" +
               $"<rect width=\"{width}\" height=\"{height}\" fill=\"#f4f6fa\"/>" +
               $"<line x1=\"0\" y1=\"{F(mid)}\" x2=\"{width}\" y2=\"{F(mid)}\" stroke=\"#c8cdd8\" stroke-width=\"1\"/>" +
               $"<path d=\"{path}\" fill=\"#3b6fd8\" stroke=\"#2a4f9e\" stroke-width=\"0.5\"/>" +
               $"<text x=\"4\" y=\"12\" font-size=\"10\" font-family=\"sans-serif\" fill=\"#333\" stroke=\"#f4f6fa\" stroke-width=\"3\" paint-order=\"stroke\">{peakDb}</text></svg>";
    }

    static string F(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);
}
