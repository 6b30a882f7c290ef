using Smitin.Evaluation;
using Smitin.Probing;

namespace Smitin.Tests.Evaluation;

public class EvaluationRowSpecTests
{
    static readonly ProbeDirection[] Both = [ProbeDirection.ProbeWeight, ProbeDirection.MassMean];

    [Fact]
    public void Base_text_goes_to_the_adding_rows_other_than_the_text_baselines_and_removal_rows_stay_unconditional()
    {
        var rows = EvaluationRowSpec.Rows(new EvaluationOptions { Trait = "bass", BaseTextTemplate = "no {trait}." }, Both);
        foreach (var r in rows)
        {
            string expected = r.Task == "remove" ? "" : r.Method is "text" or "smitin+text" ? "with bass" : "no bass.";
            Assert.True(expected == r.Text, $"{r.Label}: text '{r.Text}', expected '{expected}'");
        }
        Assert.Contains(rows, r => r.Method == "none" && r.Task == "add");
    }

    [Fact]
    public void Without_a_base_text_the_adding_rows_are_unconditional()
    {
        var rows = EvaluationRowSpec.Rows(new EvaluationOptions { Trait = "drums" }, Both);
        Assert.All(rows.Where(r => r.Method is not ("text" or "smitin+text")), r => Assert.Equal("", r.Text));
    }
}
