using Smitin.Tests.Support;

namespace Smitin.Tests.Cli;

/// <summary><c>smitin eval</c> / <c>smitin demo</c>: mistakes are refused by option name before any model work.</summary>
public class EvalCommandTests
{
    [Fact]
    public async Task Eval_needs_exactly_one_probe_source()
    {
        using var dir = new TempDir();
        var (code, error) = await CliHost.RunCapturingErrors("eval", "--model", Fixture.Model(), "--stems", dir.Path, "--out", dir["out"]);
        Assert.NotEqual(0, code);
        Assert.Contains("give either --probes FILE (one per direction) or --source DIR", error);
    }

    [Fact]
    public async Task Eval_without_a_judge_names_the_file_and_how_to_make_one()
    {
        using var dir = new TempDir();
        var (code, error) = await CliHost.RunCapturingErrors("eval", "--model", Fixture.Model(), "--stems", dir.Path, "--probe-stems", dir.Path, "--out", dir["out"]);
        Assert.NotEqual(0, code);
        Assert.Contains("judge-drums.json: not found", error);
        Assert.Contains("smitin judge train", error);
    }

    [Fact]
    public async Task Bad_values_are_refused_by_option_name()
    {
        using var dir = new TempDir();
        var (code, error) = await CliHost.RunCapturingErrors("eval", "--model", Fixture.Model(), "--stems", dir.Path, "--probe-stems", dir.Path,
            "--out", dir["out"], "--prompt-seconds", "0");
        Assert.NotEqual(0, code);
        Assert.Contains("prompt-seconds = 0", error);
        (code, error) = await CliHost.RunCapturingErrors("demo", "--model", Fixture.Model(), "--out", dir["demo"], "--probe-songs", "2");
        Assert.NotEqual(0, code);
        Assert.Contains("probe-songs = 2", error);
        (code, error) = await CliHost.RunCapturingErrors("eval", "--model", Fixture.Model(), "--stems", dir.Path, "--probe-stems", dir.Path,
            "--out", dir["out"], "--directions", "sideways");
        Assert.NotEqual(0, code);
        Assert.Contains("sideways", error);
    }

    /// <summary>
    /// eval/demo's lists have their own names (<c>--alphas</c>, <c>--directions</c>; <c>--alpha</c> and
    /// <c>--direction</c> are generate's single values); the first release's names still reach the lists, with a warning.
    /// </summary>
    [Fact]
    public async Task Alpha_and_direction_lists_under_their_old_names_reach_the_lists_with_a_deprecation_message()
    {
        using var dir = new TempDir();
        foreach (var command in new[] { "eval", "demo" })
        {
            string[] run = command == "eval"
                ? ["eval", "--model", Fixture.Model(), "--prompt-source", dir.Path, "--source", dir.Path, "--out", dir["out"]]
                : ["demo", "--model", Fixture.Model(), "--out", dir["demo"]];
            var (code, error) = await CliHost.RunCapturingErrors([.. run, "--alpha", "5", "--alpha", "-1"]);
            Assert.NotEqual(0, code);
            Assert.Contains("--alpha is deprecated, use --alphas", error);
            Assert.Contains("alphas = -1", error);                          // the second value reached the list
            (code, error) = await CliHost.RunCapturingErrors([.. run, "--alphas", "-2"]);
            Assert.Contains("alphas = -2", error);
            Assert.DoesNotContain("deprecated", error);
            (code, error) = await CliHost.RunCapturingErrors([.. run, "--direction", "probe", "--direction", "sideways"]);
            Assert.NotEqual(0, code);
            Assert.Contains("--direction is deprecated, use --directions", error);
            Assert.Contains("sideways", error);
        }
    }
}
