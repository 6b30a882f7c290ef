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
            "--out", dir["out"], "--direction", "sideways");
        Assert.NotEqual(0, code);
        Assert.Contains("sideways", error);
    }
}
