using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.DotNet.Interactive.Events;
using Smitin.Generation;
using Smitin.Interactive.Tests.Support;
using TorchSharp;

namespace Smitin.Interactive.Tests.Magics;

/// <summary>
/// Issue 13 in the notebook: <c>#!smitin generate</c> takes the CLI's long-form and streaming options
/// (<c>--max-duration</c>, <c>--extend-stride</c>, <c>--play-steps</c>), with the engine's meanings and checks.
/// </summary>
public class LongFormMagicTests : IClassFixture<GenerateMagicTests.Notebook>
{
    readonly GenerateMagicTests.Notebook _nb;
    public LongFormMagicTests(GenerateMagicTests.Notebook nb) => _nb = nb;

    [Fact]
    public async Task Window_and_stride_reach_the_engine_and_the_piece_is_generated_window_by_window()
    {
        var r = await _nb.Kernel.SubmitAsync("#!smitin generate \"rock\" --duration 4 --max-duration 1.5 --extend-stride 0.9 --seed 11 --var lf");
        r.Succeeded();
        Assert.True(_nb.Kernel.CSharp.TryGetValue<GenerationResult>("lf", out var song));
        Assert.Equal(1.5, song.Options.MaxDurationSeconds);
        Assert.Equal(0.9, song.Options.ExtendStrideSeconds);
        var plan = song.Plan!;
        Assert.Equal(4, plan.Windows.Count);                                                    // 200 frames: 75, then +45 each
        Assert.Equal((75, 45), (plan.WindowFrames, plan.StrideFrames));
        Assert.Equal(200, song.Codes.shape[2]);
        Assert.Equal(4 * 32000, song.Audio!.shape[2]);                                          // 4 s exactly

        // the same request through the engine gives the same codes: the magic passed the options, nothing else
        var model = SmitinSession.Of(_nb.Kernel.Kernel).RequireModel();
        using var direct = model.Generate(["rock"], new GenerationOptions { DurationSeconds = 4, MaxDurationSeconds = 1.5, ExtendStrideSeconds = 0.9, Seed = 11 });
        Assert.True(direct.Codes.shape.SequenceEqual(song.Codes.shape) && direct.Codes.equal(song.Codes).all().item<bool>(), "the magic's long-form codes differ from the engine's for the same options");
    }

    /// <summary>The first player update holds the first chunk: at most play-steps frames of audio (the codec keeps back
    /// the samples a later frame still changes), so a larger --play-steps gives a later, longer first update.</summary>
    [Fact]
    public async Task Play_steps_sets_the_chunk_size_of_the_player()
    {
        async Task<double> FirstUpdateSeconds(int playSteps)
        {
            var r = await _nb.Kernel.SubmitAsync($"#!smitin generate \"rock\" --duration 4 --seed 3 --play-steps {playSteps}");
            r.Succeeded();
            var events = r.Events.ToList();
            var produced = Assert.Single(events.OfType<DisplayedValueProduced>(), e => e.FormattedValues.Any(v => v.Value.Contains("smitin-stream")));
            var first = events.OfType<DisplayedValueUpdated>().First(e => e.ValueId == produced.ValueId).FormattedValues.Single().Value;
            var m = Regex.Match(first, @": (\d+\.\d\d) s of 4\.00 s so far");
            Assert.True(m.Success, first[..Math.Min(200, first.Length)]);
            return double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        }
        double small = await FirstUpdateSeconds(60), large = await FirstUpdateSeconds(150);     // 1.2 s and 3 s of frames at 50 Hz
        Assert.InRange(small, 0.01, 1.2);
        Assert.InRange(large, 1.2 + 1e-9, 3.0);
    }

    [Fact]
    public async Task Bad_long_form_values_are_named_as_on_the_command_line()
    {
        foreach (var (cell, message) in new[]
        {
            ("#!smitin generate x --max-duration 0", "--max-duration = 0: expected a finite number of seconds > 0"),
            ("#!smitin generate x --extend-stride -2", "--extend-stride = -2: expected a finite number of seconds > 0"),
            ("#!smitin generate x --max-duration 2 --extend-stride 2", "--extend-stride = 2 s must be shorter than max-duration 2 s"),
            ("#!smitin generate x --play-steps 0", "--play-steps = 0: expected an integer in [1, 2147483647]"),
            ("#!smitin generate x --play-steps 2.5", "--play-steps '2.5'"),
        })
        {
            var r = await _nb.Kernel.SubmitAsync(cell);
            Assert.True(r.Error() is { } e && e.Contains(message), $"{cell}: expected an error with '{message}', got '{r.Error()}'");
            Assert.Contains(r.Html(), h => h.Contains("smitin-help"));
        }
        // what the model cannot hold is refused before the first step, with the numbers (the fixture holds 10.18 s)
        var tooLong = await _nb.Kernel.SubmitAsync("#!smitin generate x --duration 20 --max-duration 12");
        Assert.Contains("holds 509 frames", tooLong.Error());
        Assert.Contains("max-duration <= 10.18", tooLong.Error());
    }
}
