using System.CommandLine;
using Smitin.IO;
using Smitin.Steering;
using Smitin.Viz;

namespace Smitin.Cli;

/// <summary>
/// <c>smitin trace plot trace.json --out trace.html</c>: the monitor chart (paper Fig. 4: C(t), mean, spread, τ,
/// shifted steps) of a trace written by <c>smitin generate --trace-out</c>, as one offline HTML page (the same chart
/// as the notebook's <c>#!smitin trace</c>: <see cref="MonitorTraceFigure"/>).
/// </summary>
static class TraceCommand
{
    public static Command Create()
    {
        var cmd = new Command("trace", "Work with monitor traces written by smitin generate --trace-out.");
        cmd.Subcommands.Add(Plot());
        return cmd;
    }

    static Command Plot()
    {
        var input = new Argument<string>("trace") { Description = "Trace file (JSON) written by smitin generate --probes FILE --trace-out trace.json" };
        var output = new Option<string>("--out") { Description = "Output HTML page (self-contained, works offline)", Required = true };
        var cmd = new Command("plot", "Draw a monitor trace (C(t), mean, spread, tau, shifted steps per trait and sample) as an offline HTML chart.")
        {
            input, output,
        };
        cmd.SetAction((parse, ct) => CliRunner.Guard(() =>
        {
            string path = parse.GetValue(input)!, outPath = parse.GetValue(output)!;
            AtomicFile.CheckWritable(outPath, "out");
            var record = SteeringRecord.Load(path);
            MonitorTraceFigure.Save(record, outPath);
            var t = record.Trace;
            Console.Error.WriteLine($"smitin: {t.Traits.Count} trait(s) x {t.BatchSize} sample(s), {t.Steps} steps" +
                (t.FrameRate > 0 ? "" : " (no frame rate in the file: the axis shows decoder steps)"));
            Console.WriteLine($"wrote {outPath}");
            return Task.FromResult(0);
        }));
        return cmd;
    }
}
