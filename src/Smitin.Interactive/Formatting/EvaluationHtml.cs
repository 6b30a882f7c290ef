using System.Globalization;
using System.Net;
using System.Text;
using Smitin.Evaluation;
using Smitin.Viz;

namespace Smitin.Interactive.Formatting;

/// <summary>
/// An <see cref="EvaluationResult"/> (<see cref="SteeringEvaluation.Run(Models.MusicGen, IReadOnlyList{EvaluationPrompt}, IReadOnlyList{Probing.ProbeSet}, Judging.TraitJudge, EvaluationOptions, IProgress{EvaluationProgress}?, CancellationToken)"/>)
/// in a notebook: the kept example prompts as rows, the conditions side by side as columns, each cell a player
/// (prompt + continuation) with the judge's p(trait) for the continuation; then the results table
/// (<see cref="EvaluationReport.Table"/>) and the success chart with Wilson 95 % intervals
/// (<see cref="EvaluationReport.SuccessFigure"/>). Every player cell carries <c>data-method</c> and <c>data-p</c>.
/// </summary>
internal static class EvaluationHtml
{
    internal static string Render(EvaluationResult r)
    {
        var c = CultureInfo.InvariantCulture;
        var sb = new StringBuilder("<div class=\"smitin-eval\">");
        sb.Append(c, $"<b>Audio continuation, trait <i>{Enc(r.Trait)}</i></b>: model {Enc(r.Model)}, {r.Rows.Where(x => x.Task == "add").Select(x => x.N).DefaultIfEmpty().Max()} prompts per row, ")
          .Append(c, $"{r.PromptSeconds:0.##} s of a song without the {Enc(r.Trait)} continued for {r.ContinuationSeconds:0.##} s, seed {r.Seed}; ")
          .Append(c, $"success = the judge hears it ({Enc(r.Judge)}).<br/>");
        sb.Append("<style>div.smitin-eval table th, div.smitin-eval table td { text-align: left; vertical-align: top; }</style>");
        if (r.Examples.Count > 0)
        {
            var methods = r.Rows.GroupBy(x => x.Label).ToDictionary(g => g.Key, g => g.First().Method);
            var labels = r.Examples[0].Clips.Select(x => x.Row).ToArray();
            sb.Append("<table class=\"smitin-eval-players\"><tr><th>prompt</th>");
            foreach (var label in labels) sb.Append("<th>").Append(Enc(label)).Append("</th>");
            sb.Append("</tr>");
            foreach (var e in r.Examples)
            {
                sb.Append("<tr><th>").Append(Enc(e.Prompt)).Append("</th>");
                foreach (var label in labels)
                {
                    var clip = e.Clips.FirstOrDefault(x => x.Row == label);
                    sb.Append("<td>");
                    if (clip.Audio is not null)
                        sb.Append(c, $"<div class=\"smitin-judge\" data-method=\"{Enc(methods.GetValueOrDefault(label, label))}\" data-task=\"{clip.Task}\" data-p=\"{clip.JudgeProbability:0.0000}\">")
                          .Append(c, $"<b>p({Enc(r.Trait)}) = {clip.JudgeProbability:0.00}</b></div>")
                          .Append(AudioClipHtml.Render(clip.Audio, width: 240, height: 48));
                    sb.Append("</td>");
                }
                sb.Append("</tr>");
            }
            sb.Append("</table>");
            sb.Append(c, $"<small>Each player: the {r.PromptSeconds:0.##} s prompt, then the {r.ContinuationSeconds:0.##} s continuation; p is the judge's probability for the continuation alone. Real rows are the song itself through the codec.</small>");
        }
        sb.Append("<br/>").Append(EvaluationReport.Table(r, "smitin-eval-table"));
        sb.Append(PlotlyEmbed.Render(EvaluationReport.SuccessFigure(r), "smitin-eval-chart"));
        return sb.Append("</div>").ToString();
    }

    internal static string Text(EvaluationResult r) =>
        $"EvaluationResult '{r.Trait}' on {r.Model}: " + string.Join(" | ", r.Rows.Select(x =>
            string.Create(CultureInfo.InvariantCulture, $"{x.Label}: {x.Successes}/{x.N}, p {x.JudgeProbability:0.00}")));

    static string Enc(string s) => WebUtility.HtmlEncode(s);
}
