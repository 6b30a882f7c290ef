using System.Globalization;
using System.Text;
using Smitin.IO;

namespace Smitin.Training;

/// <summary>
/// Writes a stage's loss curves (<c>curves.csv</c>, one row per logged step) as a small self-contained SVG line chart:
/// the chosen columns against the step, one colour each, linear axes with tick labels. No script, no network.
/// </summary>
public static class CurvesPlot
{
    static readonly string[] Colours = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"];

    public static void Write(string csvPath, string svgPath, string title, params string[] columns)
    {
        var lines = File.ReadAllLines(csvPath);
        var header = lines[0].Split(',');
        var rows = lines.Skip(1).Select(l => l.Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray()).ToList();
        if (rows.Count < 2) return;
        var idx = columns.Select(c => Array.IndexOf(header, c)).ToArray();
        if (idx.Any(i => i < 0)) throw new SmitinException($"{csvPath}: no column {columns[Array.IndexOf(idx, -1)]}");
        const double W = 720, H = 360, L = 60, R = 150, T = 36, B = 40;
        double xMax = rows[^1][0], yMin = 0;
        double yMax = rows.Max(r => idx.Max(i => r[i]));
        yMax = NiceCeiling(yMax);
        string X(double v) => (L + v / Math.Max(1, xMax) * (W - L - R)).ToString("F1", CultureInfo.InvariantCulture);
        string Y(double v) => (H - B - (v - yMin) / (yMax - yMin) * (H - T - B)).ToString("F1", CultureInfo.InvariantCulture);
        var svg = new StringBuilder();
        svg.Append($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{W}\" height=\"{H}\" font-family=\"sans-serif\" font-size=\"12\">");
        svg.Append($"<rect width=\"{W}\" height=\"{H}\" fill=\"white\"/><text x=\"{L}\" y=\"20\" font-size=\"14\">{title}</text>");
        for (int t = 0; t <= 5; t++)
        {
            double yv = yMin + (yMax - yMin) * t / 5, xv = xMax * t / 5;
            svg.Append($"<line x1=\"{L}\" x2=\"{W - R}\" y1=\"{Y(yv)}\" y2=\"{Y(yv)}\" stroke=\"#ddd\"/>");
            svg.Append($"<text x=\"{L - 6}\" y=\"{Y(yv)}\" text-anchor=\"end\" dy=\"4\">{yv.ToString("G3", CultureInfo.InvariantCulture)}</text>");
            svg.Append($"<text x=\"{X(xv)}\" y=\"{H - B + 16}\" text-anchor=\"middle\">{xv.ToString("F0", CultureInfo.InvariantCulture)}</text>");
        }
        svg.Append($"<text x=\"{(L + W - R) / 2}\" y=\"{H - 6}\" text-anchor=\"middle\">step</text>");
        for (int c = 0; c < idx.Length; c++)
        {
            string colour = Colours[c % Colours.Length];
            var pts = string.Join(" ", rows.Select(r => $"{X(r[0])},{Y(r[idx[c]])}"));
            svg.Append($"<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"1.5\" points=\"{pts}\"/>");
            svg.Append($"<line x1=\"{W - R + 10}\" x2=\"{W - R + 30}\" y1=\"{T + 16 * c + 8}\" y2=\"{T + 16 * c + 8}\" stroke=\"{colour}\" stroke-width=\"2\"/>");
            svg.Append($"<text x=\"{W - R + 36}\" y=\"{T + 16 * c + 12}\">{columns[c]}</text>");
        }
        svg.Append("</svg>\n");
        AtomicFile.WriteAllText(svgPath, svg.ToString());
    }

    static double NiceCeiling(double v)
    {
        if (!(v > 0) || double.IsInfinity(v)) return 1;
        double p = Math.Pow(10, Math.Floor(Math.Log10(v)));
        foreach (var m in new[] { 1, 2, 2.5, 5, 10 }) if (m * p >= v) return m * p;
        return 10 * p;
    }
}
