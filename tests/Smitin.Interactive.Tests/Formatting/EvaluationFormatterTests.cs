using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.DotNet.Interactive.Formatting;
using Smitin.Audio;
using Smitin.Evaluation;

namespace Smitin.Interactive.Tests.Formatting;

public class EvaluationFormatterTests
{
    public EvaluationFormatterTests() => Smitin.Interactive.Formatting.SmitinFormatters.Register();

    static AudioClip Tone(double hz, int rate = 16000)
    {
        var x = new float[rate / 4];
        for (int i = 0; i < x.Length; i++) x[i] = 0.3f * MathF.Sin(2 * MathF.PI * (float)hz * i / rate);
        return AudioClip.Mono(x, rate);
    }

    static EvaluationRow Row(string method, double p, int k, int n = 2)
    {
        var (lo, hi) = BinomialInterval.Wilson(k, n);
        return new()
        {
            Method = method, Task = "add", Direction = method is "iti" or "smitin" ? "probe" : null, Alpha = method == "smitin" ? 10 : null,
            N = n, Successes = k, Success = (double)k / n, SuccessCi95 = [lo, hi],
            JudgeProbability = p, Fad = 1.5, FadReference = "real-with", PromptSimilarity = 0.9, Seeds = [1000],
        };
    }

    // Two prompts × three conditions, each clip a distinct tone and judge probability.
    static EvaluationResult Result()
    {
        var rows = new[] { Row("none", 0.1, 0), Row("iti", 0.8, 2), Row("smitin", 0.6, 1) };
        var examples = Enumerable.Range(0, 2).Select(i => new EvaluationExample($"song{i} @ 0 s",
            rows.Select((r, j) => (r.Label, "add", Tone(200 + 100 * (3 * i + j)), 0.1 * (3 * i + j) + 0.05)).ToArray())).ToArray();
        return new EvaluationResult
        {
            Trait = "drums", Model = "smitin-synth-small", ModelIdentity = "abc", Rows = rows, Judge = "trait judge 'drums'",
            Embedding = "codec latents", PromptSeconds = 2, ContinuationSeconds = 3, Seed = 1, BatchSize = 2, Sampling = "top-k 250",
            Prompts = ["song0 @ 0 s", "song1 @ 0 s"], ProbeSets = ["drums probe"], Seconds = 1, Examples = examples,
        };
    }

    [Fact]
    public void Html_has_a_player_and_the_judge_p_per_prompt_and_condition_then_the_table_and_chart()
    {
        var result = Result();
        string html = result.ToDisplayString(HtmlFormatter.MimeType);
        Assert.StartsWith("<div class=\"smitin-eval\">", html);
        var cells = Regex.Matches(html, "class=\"smitin-judge\" data-method=\"([^\"]+)\" data-task=\"add\" data-p=\"([0-9.]+)\">.*?src=\"data:audio/wav;base64,([A-Za-z0-9+/=]+)\"");
        Assert.Equal(6, cells.Count);
        int c = 0;
        foreach (var e in result.Examples)
            foreach (var clip in e.Clips)
            {
                var m = cells[c++];
                Assert.Equal(result.Rows.Single(r => r.Label == clip.Row).Method, m.Groups[1].Value);
                Assert.Equal(clip.JudgeProbability, double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture), 4);
                var back = AudioClip.FromWavBytes(Convert.FromBase64String(m.Groups[3].Value));     // the clip of this cell, not another
                Assert.Equal(clip.Audio.Frames, back.Frames);
                Assert.Equal(clip.Audio.Samples[0], back.Samples[0], (a, b) => Math.Abs(a - b) < 1e-3f);             // 16-bit PCM
            }
        foreach (var r in result.Rows)
            Assert.Contains($"<tr data-method=\"{r.Method}\" data-task=\"add\"><td>{System.Net.WebUtility.HtmlEncode(r.Label)}</td>", html);
        Assert.Contains("smitin-plot smitin-eval-chart", html);
        Assert.Contains("p(drums) = 0.55", html);                                                     // the last cell's p, as text
        Assert.Contains("no control: 0/2", result.ToDisplayString(PlainTextFormatter.MimeType));
    }
}
