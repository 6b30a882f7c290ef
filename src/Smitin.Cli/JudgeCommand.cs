using System.CommandLine;
using System.Globalization;
using Smitin.Audio;
using Smitin.Judging;

namespace Smitin.Cli;

/// <summary>
/// <c>smitin judge --trait drums FILE.wav...</c>: the trait judge's probability per file (judge from <c>--judge PATH</c>
/// or the <c>judge-&lt;trait&gt;.json</c> in the <c>--model</c> folder).
/// <c>smitin judge train --model M --source SONGS --trait drums [--trait bass ...] --out DIR</c>: trains one judge per
/// trait, calibrated on the model's codec, writes <c>DIR/judge-&lt;trait&gt;.json</c> and prints the held-out report.
/// </summary>
static class JudgeCommand
{
    public static Command Create()
    {
        var files = new Argument<string[]>("files") { Description = "WAV files to judge (any rate and channels: downmixed to mono and resampled to the judge's rate)", Arity = ArgumentArity.ZeroOrMore };
        var trait = new Option<string?>("--trait") { Description = "Trait to judge (e.g. drums); with --model it picks judge-<trait>.json, with --judge it must match the file's trait" };
        var judge = new Option<string?>("--judge") { Description = "Judge file (judge-<trait>.json, written by smitin judge train)" };
        var model = new Option<string?>("--model") { Description = "Model folder or hub id whose folder holds judge-<trait>.json (used when --judge is not given)" };
        var cmd = new Command("judge", "Judge whether a trait (drums, bass, ...) is audible in WAV files with the audio trait judge (independent of the probes); prints one probability per file.")
        {
            files, trait, judge, model,
        };
        cmd.Subcommands.Add(Train());
        cmd.SetAction((parse, ct) => CliRunner.Guard(() =>
        {
            string[] paths = parse.GetValue(files) ?? [];
            if (paths.Length == 0) throw new SmitinException("no WAV files given; usage: smitin judge --trait drums (--judge FILE | --model M) FILE.wav...");
            string? traitName = parse.GetValue(trait), judgePath = parse.GetValue(judge), modelArg = parse.GetValue(model);
            if (judgePath is null)
            {
                if (string.IsNullOrWhiteSpace(traitName))
                    throw new SmitinException("--trait is required unless --judge PATH is given (it picks the judge file judge-<trait>.json next to the model: --model, default the embedded smitin-synth-small)");
                string dir = modelArg is not null && Directory.Exists(modelArg) ? modelArg : CliModel.Resolve(modelArg, ct);
                judgePath = Path.Combine(dir, TraitJudge.DefaultFileName(traitName));
                if (!File.Exists(judgePath))
                    throw new SmitinException($"{judgePath}: no judge for trait '{traitName}' next to the model; train one with " +
                                              $"`smitin judge train --model {modelArg ?? dir} --source SONGS --trait {traitName} --out {dir}`, or give --judge PATH");
            }
            var j = TraitJudge.Load(judgePath);
            if (!string.IsNullOrWhiteSpace(traitName) && !string.Equals(traitName, j.Trait, StringComparison.OrdinalIgnoreCase))
                throw new SmitinException($"--trait {traitName} but {judgePath} judges '{j.Trait}'");
            var clips = paths.Select(AudioClip.Load).ToArray();   // every file read (and checked) before any scoring
            ct.ThrowIfCancellationRequested();
            var p = j.Probabilities(clips);
            Console.Error.WriteLine($"smitin: judge '{j.Trait}' ({judgePath}, {j.SampleRate} Hz, threshold {j.Threshold:0.##}); p({j.Trait}) per file:");
            foreach (var line in Lines(paths, p)) Console.WriteLine(line);
            return Task.FromResult(0);
        }));
        return cmd;
    }

    /// <summary>One line per file: <c>p&lt;TAB&gt;path</c>, p with 4 decimals (invariant culture).</summary>
    internal static IEnumerable<string> Lines(IReadOnlyList<string> paths, IReadOnlyList<double> probabilities) =>
        paths.Select((path, i) => string.Create(CultureInfo.InvariantCulture, $"{probabilities[i]:F4}\t{path}"));

    static Command Train()
    {
        var defaults = new TraitJudgeOptions();
        var model = CliModel.ModelOption();
        var stems = new Option<string>("--source") { Description = "Stem collection the judge is trained on (MUSDB18-HQ or MoisesDB layout, e.g. from smitin dataset synth): matched pairs mixture vs mixture without the trait's stem", Required = true };
        var traits = new Option<string[]>("--trait") { Description = "Trait (stem name) to train a judge for; repeat for several", Required = true, Arity = ArgumentArity.OneOrMore };
        var output = new Option<string>("--out") { Description = "Output folder; one judge-<trait>.json per trait is written there (the model folder makes it the default judge)", Required = true };
        var seconds = new Option<double>("--segment-seconds") { Description = $"Length of each judged window in seconds (default {defaults.WindowSeconds})" };
        var validation = new Option<double>("--validation") { Description = $"Fraction of songs held out for the report (default {defaults.ValidationFraction})" };
        var seed = new Option<int>("--seed") { Description = $"Seed of the song split and the stem-subset draws (default: {RandomSeed.Default})" };
        var maxSegments = new Option<int?>("--max-segments-per-track") { Description = "Keep at most this many windows per song" };
        var noCodec = new Option<bool>("--no-codec") { Description = "Do not calibrate on codec reconstructions (train on original audio only)" };
        var device = CliModel.DeviceOption();
        var cmd = new Command("train", "Train the audio trait judge from matched stem pairs, calibrated on the model's codec output; prints held-out accuracy, recall and false alarms on originals and reconstructions.")
        {
            model, stems, traits, output, seconds, validation, seed, maxSegments, noCodec, device,
        };
        cmd.SetAction((parse, ct) => CliRunner.Guard(() =>
        {
            string outDir = parse.GetValue(output)!;
            if (File.Exists(outDir)) throw new SmitinException($"--out {outDir}: is a file; expected a folder for the judge files");
            string stemDir = parse.GetValue(stems)!;
            if (!Directory.Exists(stemDir)) throw new SmitinException($"--source {stemDir}: folder not found");
            var traitNames = parse.GetValue(traits)!.Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
            int splitSeed = RandomSeed.Resolve(parse.Given(seed) ?? defaults.Seed);       // one seed for every trait
            var perTrait = traitNames.Select(t => defaults with
            {
                Trait = t,
                WindowSeconds = parse.Given(seconds) ?? defaults.WindowSeconds,
                ValidationFraction = parse.Given(validation) ?? defaults.ValidationFraction,
                Seed = splitSeed,
                MaxWindowsPerSong = parse.GetValue(maxSegments),
                CalibrateOnCodec = !parse.GetValue(noCodec),
            }).ToArray();
            foreach (var o in perTrait) o.Validate();                 // option errors before the model loads
            string modelDir = CliModel.Resolve(parse.GetValue(model)!, ct);
            using var musicgen = CliModel.Load(modelDir, parse.GetValue(device)!);
            Console.Error.WriteLine($"smitin: seed {splitSeed}");
            foreach (var o in perTrait)
            {
                Console.Error.WriteLine($"smitin: training the '{o.Trait}' judge from {stemDir}");
                var j = TraitJudge.Train(musicgen, stemDir, o, Progress(), ct);
                string path = Path.Combine(outDir, TraitJudge.DefaultFileName(o.Trait));
                j.Save(path);
                foreach (var line in j.Report.Lines()) Console.WriteLine(line);
                Console.WriteLine($"wrote {path}");
            }
            return Task.FromResult(0);
        }));
        return cmd;
    }

    /// <summary>Judge training progress on stderr: each stage, then every 10 %.</summary>
    static StderrProgress<JudgeProgress> Progress() =>
        new(p => (p.Stage, p.Total > 0 ? 10 * p.Done / p.Total : 0), p => $"{p.Stage}: {p.Done}/{p.Total}");
}
