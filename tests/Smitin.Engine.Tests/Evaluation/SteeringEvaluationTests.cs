using System.Text.Json.Nodes;
using Smitin.Evaluation;
using Smitin.Probing;
using Smitin.Tests.Judging;

namespace Smitin.Tests.Evaluation;

[Collection(EvaluationFixture.Collection)]
public class SteeringEvaluationTests
{
    static readonly string[] Expected =
    [
        "real-without/add/", "none/add/", "text/add/",
        "iti/add/probe", "smitin/add/probe", "smitin+text/add/probe",
        "iti/add/mass-mean", "smitin/add/mass-mean", "smitin+text/add/mass-mean",
        "real-with/add/",
        "none/remove/", "iti/remove/probe", "smitin/remove/probe", "iti/remove/mass-mean", "smitin/remove/mass-mean",
    ];

    [Fact]
    public void Rows_are_the_issues_conditions_with_consistent_figures()
    {
        var r = EvaluationFixture.Result;
        Assert.Equal(Expected, r.Rows.Select(x => $"{x.Method}/{x.Task}/{x.Direction}"));
        Assert.Equal("drums", r.Trait);
        Assert.Equal("musicgen-tiny-mono", r.Model);
        // guidance was not given: the result records the value used (the checkpoint's), not an empty field
        Assert.Null(EvaluationFixture.Options.Generation.GuidanceScale);
        Assert.EndsWith(FormattableString.Invariant($"guidance {EvaluationFixture.Model.Config.GuidanceScale}"), r.Sampling);
        foreach (var row in r.Rows)
        {
            Assert.Equal(row.Task == "add" ? 3 : 2, row.N);
            Assert.Equal((double)row.Successes / row.N, row.Success, 12);
            var (lo, hi) = BinomialInterval.Wilson(row.Successes, row.N);
            Assert.Equal([lo, hi], row.SuccessCi95);
            Assert.InRange(row.JudgeProbability, 0, 1);
            Assert.True(row.Fad >= 0 && double.IsFinite(row.Fad), $"{row.Label}: FAD {row.Fad}");
            Assert.InRange(row.PromptSimilarity, -1, 1);
            bool real = row.Method.StartsWith("real");
            // generated rows: batches of 2 → seeds 7·1000 + b, the same in every row (3 adding prompts: 2 batches, 2 removal prompts: 1)
            Assert.Equal(real ? [] : row.Task == "add" ? new long[] { 7000, 7001 } : [7000], row.Seeds);
            Assert.Equal(real, row.ShiftedFraction is null);
        }
        // unsteered rows only monitor; ITI shifts at every generated step; SMITIN at most on its schedule (every 5th)
        Assert.All(r.Rows.Where(x => x.Method is "none" or "text"), x => Assert.Equal(0, x.ShiftedFraction));
        Assert.All(r.Rows.Where(x => x.Method == "iti"), x => Assert.Equal(1, x.ShiftedFraction));
        // scheduled steps are 1, 6, 11, ...: at most ⌈n/5⌉ of the n ≥ 50 generated steps (1 s at 50 Hz) ≤ 0.22
        Assert.All(r.Rows.Where(x => x.Method.StartsWith("smitin")), x => Assert.InRange(x.ShiftedFraction!.Value, 0, 0.22));
        // the fixture's options leave the base text unset: the no-text rows had no text condition, and that is recorded
        Assert.Null(r.BaseText);
        Assert.All(r.Rows.Where(x => x.Method is "none" or "iti" or "smitin"), x => Assert.Null(x.Text));
        Assert.Equal(3, r.PromptsRequested);
        Assert.Contains("no text condition", r.ToMarkdown());
        Assert.Contains("\"base_text\": null", r.ToJson());
        Assert.DoesNotContain("prompts asked for", r.ToMarkdown());                 // 3 of 3: nothing capped
        Assert.Contains("n = 3 of the 500 prompts asked for", (r with { PromptsRequested = 500 }).ToMarkdown());
        // the ceiling is the FAD reference of adding rows: distance 0 by construction
        Assert.Equal(0, r.Rows.Single(x => x.Method == "real-with").Fad, 6);
        Assert.True(r.Rows.Single(x => x.Method == "real-without").Fad > 0);
        Assert.Equal(2, r.Examples.Count);
        Assert.Equal(r.Rows.Count, r.Examples[0].Clips.Count);
    }

    [Fact]
    public void Results_json_has_the_issues_shape_and_round_trips()
    {
        var r = EvaluationFixture.Result;
        var json = JsonNode.Parse(r.ToJson())!.AsObject();
        Assert.Equal("drums", (string?)json["trait"]);
        Assert.Equal("musicgen-tiny-mono", (string?)json["model"]);
        var row = json["rows"]!.AsArray()[4]!.AsObject();                  // SMITIN α 5, probe direction
        foreach (var key in new[] { "method", "direction", "alpha", "n", "success", "success_ci95", "fad", "prompt_similarity", "shifted_fraction" })
            Assert.True(row.ContainsKey(key), $"row has no '{key}': {row.ToJsonString()}");
        Assert.Equal("smitin", (string?)row["method"]);
        Assert.Equal("probe", (string?)row["direction"]);
        Assert.Equal(5, (double)row["alpha"]!);
        Assert.Null(json["rows"]!.AsArray()[1]!["direction"]);
        var back = EvaluationResult.FromJson(r.ToJson());
        Assert.Equal(r.Rows.Select(x => x.Success), back.Rows.Select(x => x.Success));
        Assert.Contains("| SMITIN α 5 (probe) | add | 3 |", r.ToMarkdown());
    }

    [Fact]
    public void The_same_seed_gives_the_same_table_and_another_seed_another()
    {
        var first = EvaluationFixture.Result;
        var again = EvaluationFixture.Run(EvaluationFixture.Options);
        Assert.Equal(Table(first), Table(again));
        var other = EvaluationFixture.Run(EvaluationFixture.Options with { Seed = 8, RemovalPrompts = 0 });
        var generated = other.Rows.Where(x => x.Method is "none" or "iti").Select(x => x.JudgeProbability);
        Assert.NotEqual(first.Rows.Where(x => x.Task == "add" && x.Method is "none" or "iti").Select(x => x.JudgeProbability), generated);
        Assert.DoesNotContain(other.Rows, x => x.Task == "remove");
    }

    static string Table(EvaluationResult r) => string.Join("\n", r.Rows.Select(x =>
        $"{x.Label} {x.N} {x.Successes} {x.JudgeProbability:R} {x.Fad:R} {x.PromptSimilarity:R} {x.ShiftedFraction:R} {x.MonitorConfidence:R} {string.Join(",", x.Seeds)}"));

    [Fact]
    public void Mismatched_inputs_are_refused_by_name()
    {
        var model = EvaluationFixture.Model;
        var o = EvaluationFixture.Options;
        var e = Assert.Throws<SmitinException>(() => SteeringEvaluation.Run(model, JudgeSongs.Root, EvaluationFixture.Probes, EvaluationFixture.Judge, o with { Trait = "bass" }));
        Assert.Contains("the judge is for 'drums'", e.Message);
        e = Assert.Throws<SmitinException>(() => SteeringEvaluation.Run(model, JudgeSongs.Root, [EvaluationFixture.Probes[0], EvaluationFixture.Probes[0]], EvaluationFixture.Judge, o));
        Assert.Contains("two probe sets with the probe direction", e.Message);
        e = Assert.Throws<SmitinException>(() => SteeringEvaluation.Run(model, JudgeSongs.Root, [EvaluationFixture.Probes[1]], EvaluationFixture.Judge, o with { Directions = [ProbeDirection.ProbeWeight] }));
        Assert.Contains("no probe set for the requested direction(s) probe", e.Message);
        Assert.Contains("prompt-seconds", Assert.Throws<SmitinException>(() => (o with { PromptSeconds = 0 }).Validate()).Message);
        Assert.Contains("continuation-seconds", Assert.Throws<SmitinException>(() => (o with { ContinuationSeconds = 0.5 }).Validate()).Message);
        e = Assert.Throws<SmitinException>(() => EvaluationPrompts.Load(JudgeSongs.Root, o with { Trait = "kazoo" }, 32000, 1, 3));
        Assert.Contains("kazoo", e.Message);
    }

    [Fact]
    public void Both_directions_share_the_probes_and_differ_in_theta()
    {
        var (p, m) = (EvaluationFixture.Probes[0], EvaluationFixture.Probes[1]);
        Assert.Equal(ProbeDirection.ProbeWeight, p.Direction);
        Assert.Equal(ProbeDirection.MassMean, m.Direction);
        Assert.Equal(p.Weights, m.Weights);
        Assert.Equal(p.Accuracy, m.Accuracy);
        Assert.Equal(p.MonitorHeadIndices, m.MonitorHeadIndices);
        Assert.NotEqual(p.Theta, m.Theta);
    }
}
