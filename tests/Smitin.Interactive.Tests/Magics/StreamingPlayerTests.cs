using System.Text.RegularExpressions;
using Microsoft.DotNet.Interactive.Events;
using Smitin.Interactive.Tests.Support;

namespace Smitin.Interactive.Tests.Magics;

/// <summary>The player of <c>#!smitin generate</c> updates while the piece is generated, not only at the end.</summary>
public class StreamingPlayerTests : IClassFixture<GenerateMagicTests.Notebook>
{
    readonly GenerateMagicTests.Notebook _nb;
    public StreamingPlayerTests(GenerateMagicTests.Notebook nb) => _nb = nb;

    [Fact]
    public async Task The_player_is_updated_more_than_once_during_one_generation()
    {
        var r = await _nb.Kernel.SubmitAsync("#!smitin generate \"rock\" --seconds 8 --seed 3");
        r.Succeeded();
        var events = r.Events.ToList();
        var produced = Assert.Single(events.OfType<DisplayedValueProduced>(), e => e.FormattedValues.Any(v => v.Value.Contains("smitin-stream")));
        var updates = events.OfType<DisplayedValueUpdated>().Where(e => e.ValueId == produced.ValueId).ToList();
        Assert.True(updates.Count >= 2, $"the player was updated {updates.Count} time(s)");

        // every update carries a playable <audio> with more audio than the one before, the last one the whole piece
        var seconds = updates.Select(u => u.FormattedValues.Single().Value).Select(html =>
        {
            Assert.Contains("<audio controls", html);
            Assert.Contains("data:audio/wav;base64,", html);
            var m = Regex.Match(html, @"(?:complete: |: )(\d+\.\d\d) s");
            Assert.True(m.Success, html[..Math.Min(200, html.Length)]);
            return double.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        }).ToList();
        Assert.Equal(seconds.Order(), seconds);
        Assert.True(seconds[0] < 8, $"first update at {seconds[0]} s of audio: before the end");
        Assert.Contains("complete: 8.00 s", updates[^1].FormattedValues.Single().Value);

        // ... and they come before the generation finished (the progress line's final update, the result's display)
        int firstPlayer = events.IndexOf(updates[0]);
        int result = events.FindIndex(e => e is DisplayEvent d && d.FormattedValues.Any(v => v.Value.Contains("smitin-generation")));
        int progressDone = events.FindIndex(e => e is DisplayedValueUpdated d && d.FormattedValues.Any(v => v.Value.Contains("400 frames, seed 3")));
        Assert.True(firstPlayer < progressDone && progressDone < result, $"player {firstPlayer}, progress done {progressDone}, result {result}");
        Assert.True(events.IndexOf(updates[^2]) < progressDone, "at least two updates before the generation ended");
    }
}
