using Smitin.Viz;

namespace Smitin.Tests.Viz;

public class MonitorPlotSeriesTests
{
    [Fact]
    public void Summary_of_raw_outputs_is_median_mean_min_max_per_step()
    {
        var s = MonitorPlotSeries.FromProbabilities("x", "drums", 0.5, 50,
            [[0.1f, 0.9f, 0.3f, 0.5f], [0.2f, 0.2f, 0.8f]], [true, false]);
        Assert.Equal([0.4f, 0.2f], s.Median);            // even count: mean of the middle two; odd: the middle one
        Assert.Equal(0.45f, s.Mean[0], 5);
        Assert.Equal([0.1f, 0.2f], s.Low);
        Assert.Equal([0.9f, 0.8f], s.High);
        s.Validate();
    }

    [Fact]
    public void Figure_marks_tau_and_interventions_on_a_step_axis_without_frame_rate()
    {
        var s = MonitorPlotSeries.FromProbabilities("SMITIN", "bass", 0.7, 0, [[0.2f], [0.4f], [0.8f]], [true, true, false], firstStep: 10);
        var json = PlotlyFigure.FromChart(MonitorTraceFigure.ToChart([s])).ToJson();
        Assert.Contains("\"text\":\"decoder step\"", json);
        Assert.Contains("\"y0\":0.7", json);
        var ticks = System.Text.Json.Nodes.JsonNode.Parse(json)!["data"]!.AsArray().Single(t => (string)t!["name"]! == "SMITIN intervention")!;
        Assert.Equal(new[] { 10.0, 11.0 }, ticks["x"]!.AsArray().Select(v => (double)v!)); // intervention ticks at steps 10 and 11
    }

    [Fact]
    public void Out_of_range_values_are_refused_naming_field_and_step()
    {
        var s = new MonitorPlotSeries("ITI", "drums", 0.5, 50, [0.5f], [1.5f], [0f], [1f], [false]);
        var e = Assert.Throws<SmitinException>(s.Validate);
        Assert.Contains("Mean[0] = 1.5", e.Message);
        Assert.Throws<SmitinException>(() => MonitorTraceFigure.ToChart([]));
    }
}
