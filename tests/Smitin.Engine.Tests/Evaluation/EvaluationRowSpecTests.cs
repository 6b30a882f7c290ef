using Smitin.Evaluation;
using Smitin.Probing;

namespace Smitin.Tests.Evaluation;

public class EvaluationRowSpecTests
{
    static readonly ProbeDirection[] Both = [ProbeDirection.ProbeWeight, ProbeDirection.MassMean];

    [Fact]
    public void Base_text_goes_to_the_adding_rows_other_than_the_text_baselines_and_removal_rows_take_the_empty_text()
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
    public void By_default_the_mass_mean_rows_come_first_and_both_directions_are_compared()
    {
        // mass-mean is the product's direction (ProbeSetOptions.Direction); its rows lead the table and the report
        Assert.Equal(new ProbeSetOptions().Direction, new EvaluationOptions().Directions[0]);
        var rows = EvaluationRowSpec.Rows(new EvaluationOptions(), [ProbeDirection.ProbeWeight, ProbeDirection.MassMean]);
        var directions = rows.Where(r => r.Task == "add").Select(r => r.DirectionName).OfType<string>().Distinct();
        Assert.Equal(["mass-mean", "probe"], directions);
    }

    [Fact]
    public void Without_a_base_text_every_row_but_the_text_baselines_has_no_text_condition()
    {
        // null = no text at all (MusicGen.GenerateUnconditional: audiocraft's descriptions=None), the probes' condition
        Assert.Null(new EvaluationOptions().BaseTextTemplate);
        var rows = EvaluationRowSpec.Rows(new EvaluationOptions { Trait = "drums" }, Both);
        Assert.All(rows.Where(r => r.Method is not ("text" or "smitin+text")), r => Assert.Null(r.Text));
        Assert.All(rows.Where(r => r.Method is "text" or "smitin+text"), r => Assert.Equal("with drums", r.Text));
        Assert.Contains(rows, r => r.Task == "remove");
    }

    [Fact]
    public void The_monitor_chart_uses_the_products_alpha_when_it_is_evaluated()
    {
        Assert.Equal(new Smitin.Steering.SteeringOptions().Alpha, new EvaluationOptions().MonitorAlpha);
        Assert.Equal(10, new EvaluationOptions().MonitorAlpha);
        Assert.Equal(5, new EvaluationOptions { SmitinAlphas = [5] }.MonitorAlpha);
        Assert.Equal(20, new EvaluationOptions { SmitinAlphas = [20, 30] }.MonitorAlpha);
    }

    [Fact]
    public void The_empty_text_is_a_text_condition_for_every_row_but_the_text_baselines()
    {
        var rows = EvaluationRowSpec.Rows(new EvaluationOptions { Trait = "drums", BaseTextTemplate = "" }, Both);
        Assert.All(rows.Where(r => r.Method is not ("text" or "smitin+text")), r => Assert.Equal("", r.Text));
    }
}
