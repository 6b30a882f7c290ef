using Microsoft.DotNet.Interactive.Events;
using Smitin.Interactive.Magics;
using Smitin.Interactive.Tests.Support;

namespace Smitin.Interactive.Tests.Magics;

/// <summary>
/// Issue 19: a magic line that is not exactly what the option table allows fails the cell with a message naming the
/// culprit and the subcommand's help, before any work; the next cell still runs. The notebook has the fixture model
/// loaded, so a line that slipped through would really generate (and show a progress line).
/// </summary>
public class MagicLineTests : IClassFixture<MagicLineTests.Notebook>
{
    public sealed class Notebook : IAsyncLifetime
    {
        public NotebookKernel Kernel { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            (Kernel, _) = await NotebookKernel.CreateAsync();
            (await Kernel.SubmitAsync($"#!smitin load \"{Repo.TinyModel}\"")).Succeeded();
        }

        public Task DisposeAsync()
        {
            Kernel.Dispose();
            return Task.CompletedTask;
        }
    }

    readonly Notebook _nb;
    public MagicLineTests(Notebook nb) => _nb = nb;

    /// <summary>Submits <paramref name="cell"/>, asserts it failed with <paramref name="message"/>, the help of
    /// <paramref name="helpOf"/> (a subcommand, or null for the overview) and no work started; then a cell runs.</summary>
    async Task FailsBeforeWork(string cell, string message, string? helpOf)
    {
        var session = SmitinSession.Of(_nb.Kernel.Kernel);
        var lastResult = session.LastResult;
        var r = await _nb.Kernel.SubmitAsync(cell);
        Assert.True(r.Error() is { } e && e.Contains(message, StringComparison.Ordinal), $"{cell}: expected an error with \"{message}\", got \"{r.Error()}\"");
        string help = Assert.Single(r.Html(), h => h.Contains("smitin-help"));
        Assert.Contains(helpOf is null ? "&lt;subcommand&gt; [options]" : $"#!smitin {helpOf}", help);
        Assert.DoesNotContain(r.Html(), h => h.Contains("smitin-progress"));    // no load, render, training or generation began
        Assert.Same(lastResult, session.LastResult);
        var next = await _nb.Kernel.SubmitAsync("6 * 7");
        next.Succeeded();
        Assert.Equal(42, next.ReturnValue<int>());
    }

    /// <summary>The examples, each a kind of mistake.</summary>
    [Theory]
    [InlineData("#!smitin generate \"x\" --sceonds 1", "unknown option '--sceonds' (did you mean --duration?)", "generate")]
    [InlineData("#!smitin probe --monitr 4", "unknown option '--monitr' (did you mean --monitor-heads?)", "probe")]
    [InlineData("#!smitin compare \"x\" --duration 1 --steer smitin", "unknown option '--steer'", "compare")]
    [InlineData("#!smitin generate \"x\" --seconds", "--seconds needs a value (a number)", "generate")]
    [InlineData("#!smitin generate \"x\" --duration", "--duration needs a value (a number)", "generate")]
    [InlineData("#!smitin dataset drums --synthetic --songs", "--songs needs a value (a whole number)", "dataset")]
    [InlineData("#!smitin generate \"a b\" extra --duration 1", "unexpected argument 'extra'", "generate")]
    [InlineData("#!smitin generate \"x\" \"y\" --duration 1", "unexpected argument '\"y\"'", "generate")]
    [InlineData("#!smitin generate 'like this' --duration 1", "single quotes are not supported", "generate")]
    [InlineData("#!smitin generate \"x\" --duration 1 // a comment", "a magic line cannot end with a comment", "generate")]
    [InlineData("#!smitin generate \"x\" --mode smitin --remove false", "--remove is a flag and takes no value", "generate")]
    [InlineData("#!smitin generat \"x\"", "unknown subcommand 'generat' (did you mean 'generate'?)", null)]
    [InlineData("#!smitin generate \"x\" --duration abc", "--duration 'abc': expected a number", "generate")]
    [InlineData("#!smitin generate \"x\" --seed 1.5", "--seed '1.5': expected a whole number", "generate")]
    [InlineData("#!smitin generate \"x\" --duration 1 --duration 2", "--duration is given twice", "generate")]
    [InlineData("#!smitin generate \"x\" --seconds 1 --duration 2", "--seconds and --duration are the same option (--duration): give it once", "generate")]
    [InlineData("#!smitin generate \"x\" --duration 0.5 --var class", "--var 'class': a C# keyword cannot name a variable", "generate")]
    [InlineData("#!smitin generate \"x\" --duration 0.5 --var a-b", "--var 'a-b': expected a C# identifier", "generate")]
    [InlineData("#!smitin dataset drums --synthetic --songs 2 --out /dev/null/songs", "--out: /dev/null/songs: /dev/null is a file, not a folder", "dataset")]
    [InlineData("#!smitin trace --variant louder", "--variant 'louder': expected one of none, iti, smitin", "trace")]
    public Task Each_kind_of_mistake_fails_before_any_work_with_the_culprit_and_the_help(string cell, string message, string? helpOf) =>
        FailsBeforeWork(cell, message, helpOf);

    /// <summary>Every subcommand: an unknown option, an option without its value, a stray word, a wrong-typed value.</summary>
    [Fact]
    public async Task Every_subcommand_refuses_each_kind_of_mistake()
    {
        foreach (var sub in SmitinMagics.Subcommands)
        {
            var options = sub.Options.Where(o => !o.Deprecated && o.Name != "--help").ToList();
            var valued = options.First(o => o.Kind != MagicValueKind.Flag);
            string typo = valued.Name[..^1];                                    // --mode → --mod: one letter short
            await FailsBeforeWork($"#!smitin {sub.Name} {typo} v", $"unknown option '{typo}' (did you mean {valued.Name}?)", sub.Name);
            await FailsBeforeWork($"#!smitin {sub.Name} {valued.Name}", $"{valued.Name} needs a value", sub.Name);
            string first = options.First(o => o.Implicit).Choices?[0] ?? "one";    // a valid first word, then a stray one
            await FailsBeforeWork($"#!smitin {sub.Name} {first} two three", "unexpected argument 'two'", sub.Name);
            var typed = options.FirstOrDefault(o => o.Kind is MagicValueKind.Number or MagicValueKind.Integer) ?? options.FirstOrDefault(o => o.Choices is not null);
            if (sub.Name == "load")
            {
                Assert.Null(typed);                                              // load has only text options (a path, a device)
                continue;
            }
            Assert.NotNull(typed);
            await FailsBeforeWork($"#!smitin {sub.Name} {typed!.Name} abc", $"{typed.Name} 'abc': expected ", sub.Name);
        }
    }

    [Fact]
    public async Task A_well_formed_line_still_runs_and_an_old_name_says_it_is_deprecated()
    {
        var r = await _nb.Kernel.SubmitAsync("#!smitin generate \"x\" --seconds 0.5 --seed 2 --var old");
        r.Succeeded();
        Assert.Contains(r.Events.OfType<DisplayedValueProduced>(), e => e.FormattedValues.Any(v => v.Value.Contains("--seconds is deprecated, use --duration")));
        Assert.Equal(0.5, SmitinSession.Of(_nb.Kernel.Kernel).LastResult!.Options.DurationSeconds);
    }

    [Fact]
    public void Closest_names_only_likely_typos()
    {
        Assert.Equal("--duration", MagicLine.Closest("--durration", ["--duration", "--seed"]));
        Assert.Equal("generate", MagicLine.Closest("genreate", ["generate", "compare"]));     // transposition
        Assert.Null(MagicLine.Closest("--zzzzzz", ["--duration", "--seed"]));
    }
}
