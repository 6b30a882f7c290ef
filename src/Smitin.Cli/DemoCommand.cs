using System.CommandLine;
using Smitin.Evaluation;

namespace Smitin.Cli;

/// <summary>
/// <c>smitin demo [--model DIR] [--trait drums] [--out out/demo]</c>: synthesises songs, probes, evaluates and writes one
/// offline HTML report (docs/evaluation.md). The README's main command; <c>scripts/demo.sh</c> runs it.
/// </summary>
static class DemoCommand
{
    public static Command Create()
    {
        var d = new DemoOptions();
        var shared = new EvalCommand.Shared(d.Evaluation);
        var output = new Option<string?>("--out") { Description = $"Output folder: songs, probes, results, report.html (default {d.OutputFolder})" };
        var probeSongs = new Option<int>("--probe-songs") { Description = $"Songs synthesised for probing (default {d.ProbeSongs})" };
        var evalSongs = new Option<int>("--eval-songs") { Description = $"Songs synthesised for the evaluation prompts (default {d.EvalSongs})" };
        var jobs = new Option<int>("--jobs") { Description = "fluidsynth processes in parallel (default: the processor count)" };
        var cmd = new Command("demo", "The paper's comparison on one model, offline: synthesise songs, probe, evaluate ITI vs SMITIN with the trait judge, write report.html.");
        foreach (var o in shared.All.Concat([output, probeSongs, evalSongs, jobs])) cmd.Options.Add(o);
        cmd.SetAction((parse, ct) => CliRunner.Guard(() =>
        {
            var options = d with
            {
                OutputFolder = parse.GetValue(output) ?? d.OutputFolder,
                ProbeSongs = parse.Given(probeSongs) ?? d.ProbeSongs,
                EvalSongs = parse.Given(evalSongs) ?? d.EvalSongs,
                Jobs = parse.Given(jobs) ?? d.Jobs,
                JudgePath = parse.GetValue(shared.Judge),
                Evaluation = shared.Options(parse),
            };
            options.Validate();
            string modelDir = shared.ModelFolder(parse, ct);
            Console.Error.WriteLine($"smitin demo: model {modelDir}, trait '{options.Evaluation.Trait}', output {Path.GetFullPath(options.OutputFolder)}");
            using var model = CliModel.Load(modelDir, parse.GetValue(shared.Device)!);
            var result = DemoRunner(model, options, ct);
            Console.WriteLine(result.Evaluation.ToMarkdown());
            foreach (var t in result.Timings) Console.Error.WriteLine("  time, " + t);
            Console.WriteLine($"report: {result.ReportPath}");
            Console.WriteLine($"results: {Path.Combine(result.ResultsFolder, "results.json")}");
            return Task.FromResult(0);
        }));
        return cmd;
    }

    static DemoResult DemoRunner(Models.MusicGen model, DemoOptions options, CancellationToken ct) =>
        SteeringDemo.Run(model, options, new Line(), ct);

    sealed class Line : IProgress<string>
    {
        readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
        public void Report(string value) => Console.Error.WriteLine($"[{_clock.Elapsed:mm\\:ss}] {value}");
    }
}
