using System.Diagnostics;
using System.Text.RegularExpressions;
using Smitin.Evaluation;
using Smitin.Tests.Evaluation;
using Smitin.Tests.Judging;
using Smitin.Tests.Support;
using Smitin.Viz;

namespace Smitin.Tests.Viz;

/// <summary>
/// The demo report opens offline in headless Chromium (Debian's, as scripts/check-screenshot.py) with networking
/// disabled, and every chart and player is in the screenshot; a control page with the charts and players removed
/// must fail the same check.
/// </summary>
[Collection(EvaluationFixture.Collection)]
public sealed class EvaluationReportTests : IDisposable
{
    readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    static string Repo([System.Runtime.CompilerServices.CallerFilePath] string file = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, "..", "..", ".."));

    [Fact]
    public async Task Report_shows_every_chart_and_player_offline_and_the_control_fails()
    {
        var result = EvaluationFixture.Result;
        var model = EvaluationFixture.Model;
        var prompt = EvaluationPrompts.Load(JudgeSongs.Root, EvaluationFixture.Options, model.SampleRate, 1, 1)[0];
        var series = MonitorBySchedule.Run(model, prompt.Without, EvaluationFixture.Probes[0], EvaluationFixture.Options, [1, 5], includeIti: true);
        Assert.Equal(3, series.Count);
        Assert.True(series[2].Intervened.Skip(1).All(x => x), "ITI shifts at every generated step");

        string html = _dir["report.html"];
        EvaluationReport.Save(html, new EvaluationReport.Content(result, EvaluationFixture.Probes[0], series, ["test"]));
        string page = File.ReadAllText(html);
        Assert.DoesNotContain("src=\"http", page);
        Assert.DoesNotContain("<script src=", page);
        int players = Regex.Matches(page, "<audio ").Count;
        Assert.Equal(2 * 7, players);                      // 2 examples × 7 adding rows of the first direction (probe)
        // control: charts not drawn, players removed
        string control = _dir["control.html"];
        File.WriteAllText(control, Regex.Replace(page.Replace("window.Plotly.newPlot(", "(function () {})("), "<audio [^>]*></audio>", ""));

        var (shot, dom) = await Shoot(html, "report");
        Assert.Contains("charts drawn: 3/3", dom);                               // the page's own status line
        var (ok, output) = Check(shot, players);
        Assert.True(ok, output);

        var (controlShot, controlDom) = await Shoot(control, "control");
        Assert.Contains("charts drawn: 0/3", controlDom);
        var (controlOk, controlOutput) = Check(controlShot, players);
        Assert.False(controlOk, controlOutput);
        Assert.DoesNotContain("PASS heatmap", controlOutput);
        Assert.DoesNotContain("PASS players", controlOutput);
        Assert.DoesNotContain("PASS success chart", controlOutput);
        Assert.DoesNotContain("PASS monitor chart", controlOutput);
    }

    [Fact]
    public void Players_follow_the_tables_first_direction_and_the_summary_names_every_alpha()
    {
        var result = EvaluationFixture.Result;
        var prompt = EvaluationPrompts.Load(JudgeSongs.Root, EvaluationFixture.Options, EvaluationFixture.Model.SampleRate, 1, 1)[0];
        var series = MonitorBySchedule.Run(EvaluationFixture.Model, prompt.Without, EvaluationFixture.Probes[0], EvaluationFixture.Options, [5], includeIti: false);
        // the same result with the mass-mean rows first (the product's default order)
        var reordered = result with { Rows = [.. result.Rows.Where(x => x.Direction != "probe"), .. result.Rows.Where(x => x.Direction == "probe")] };
        foreach (var (r, first, second) in new[] { (result, "probe", "mass-mean"), (reordered, "mass-mean", "probe") })
        {
            string page = EvaluationReport.Html(new EvaluationReport.Content(r, EvaluationFixture.Probes[0], series, []));
            string players = page[page.IndexOf("<table class=\"players\">", StringComparison.Ordinal)..];
            players = players[..players.IndexOf("</table>", StringComparison.Ordinal)];
            Assert.Contains($"({first})", players);
            Assert.DoesNotContain($"({second})", players);
            Assert.Contains("no control", players);
        }
        string summary = EvaluationReport.Html(new EvaluationReport.Content(result, EvaluationFixture.Probes[0], series, []));
        string head = summary[..summary.IndexOf("<h2", StringComparison.Ordinal)];
        Assert.Contains("SMITIN α 5 ", head);
        double none = result.Rows.First(x => x.Method == "none" && x.Task == "add").Success;   // rounded as the table rounds it
        Assert.Contains($"no control {(100 * none).ToString("0.#", System.Globalization.CultureInfo.InvariantCulture)} %", head);
    }

    static readonly string[] Offline =
    [
        "--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run", "--virtual-time-budget=20000",
        "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>", "--host-resolver-rules=MAP * ~NOTFOUND",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-default-apps",
    ];

    async Task<(string Png, string Dom)> Shoot(string html, string name)
    {
        Assert.True(File.Exists("/usr/bin/chromium"), "chromium is not installed (scripts/setup.sh installs it)");
        string png = _dir[name + ".png"];
        await Run("/usr/bin/chromium", [.. Offline, $"--user-data-dir={_dir[name + "-profile"]}", "--window-size=1250,9000", $"--screenshot={png}", "file://" + html]);
        Assert.True(File.Exists(png), $"no screenshot of {name}");
        string dom = await Run("/usr/bin/chromium", [.. Offline, $"--user-data-dir={_dir[name + "-profile2"]}", "--dump-dom", "file://" + html]);
        return (png, dom);
    }

    static (bool Ok, string Output) Check(string png, int players)
    {
        var psi = new ProcessStartInfo("/usr/bin/python3", [Path.Combine(Repo(), "scripts", "check-report-screenshot.py"), png, "--players", players.ToString()])
        { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        string output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode == 0, output);
    }

    static async Task<string> Run(string exe, string[] args)
    {
        var psi = new ProcessStartInfo(exe, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        _ = p.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(180));
        await p.WaitForExitAsync(timeout.Token);
        return await stdout;
    }
}
