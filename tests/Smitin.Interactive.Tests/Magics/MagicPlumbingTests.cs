using Smitin.Interactive.Tests.Support;

namespace Smitin.Interactive.Tests.Magics;

public class MagicPlumbingTests
{
    [Fact]
    public async Task Loading_shows_banner_listing_every_subcommand()
    {
        var (nb, load) = await NotebookKernel.CreateAsync();
        using var _ = nb;
        Assert.Null(load.Error());
        string banner = Assert.Single(load.Html(), h => h.Contains("smitin-banner"));
        foreach (var sub in new[] { "load", "dataset", "probe", "heatmap", "generate", "compare", "trace" })
            Assert.Contains($"<code>{sub}</code>", banner);
    }

    [Fact]
    public async Task Help_lists_options_with_descriptions()
    {
        var (nb, _) = await NotebookKernel.CreateAsync();
        using var __ = nb;
        var r = await nb.SubmitAsync("#!smitin generate --help");
        r.Succeeded();
        string help = Assert.Single(r.Html(), h => h.Contains("smitin-help"));
        Assert.Contains("--text", help);
        Assert.Contains("--alpha", help);
        Assert.Contains("Intervention strength", help);
    }

    [Fact]
    public async Task Every_subcommand_has_help_with_kebab_case_options_each_described()
    {
        var (nb, _) = await NotebookKernel.CreateAsync();
        using var __ = nb;
        var option = new System.Text.RegularExpressions.Regex(@"^  (--\S+)(?: <[^>]+>)?\s{2,}(\S.*)$");
        foreach (var sub in new[] { "load", "dataset", "probe", "heatmap", "generate", "compare", "trace" })
        {
            var r = await nb.SubmitAsync($"#!smitin {sub} --help");
            r.Succeeded();
            string text = System.Net.WebUtility.HtmlDecode(Assert.Single(r.Html(), h => h.Contains("smitin-help")));
            var lines = text.Split('\n').SkipWhile(l => !l.StartsWith("Options:")).Skip(1).Where(l => l.StartsWith("  ")).ToList();
            Assert.True(lines.Count >= 2, $"{sub}: no options listed");
            foreach (var line in lines)
            {
                var m = option.Match(line.TrimEnd());
                Assert.True(m.Success, $"{sub}: option line without a description: '{line}'");
                Assert.Matches("^--[a-z0-9]+(-[a-z0-9]+)*$", m.Groups[1].Value);
            }
            Assert.Contains(lines, l => l.StartsWith("  --help"));
        }
    }

    [Fact]
    public async Task Unknown_option_shows_help_and_error_then_kernel_keeps_working()
    {
        var (nb, _) = await NotebookKernel.CreateAsync();
        using var __ = nb;
        var r = await nb.SubmitAsync("#!smitin load --modle x");
        Assert.NotNull(r.Error());
        Assert.Contains(r.Html(), h => h.Contains("smitin-help") && h.Contains("--model"));
        var ok = await nb.SubmitAsync("1 + 1");
        ok.Succeeded();
        Assert.Equal(2, ok.ReturnValue<int>());
    }
}
