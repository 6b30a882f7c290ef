using System.CommandLine;
using System.Globalization;
using Smitin.Data;
using Smitin.Models;
using Smitin.Probing;
using Smitin.Viz;

namespace Smitin.Cli;

/// <summary>
/// <c>smitin probe --model DIR (--stems DIR | --folders DIR | --manifest FILE) --trait drums [--seconds 3]
/// [--direction probe|mass-mean] --out drums.probe [--heatmap drums.html]</c>: trains one probe per attention head and
/// prints the accuracy summary.
/// </summary>
static class ProbeCommand
{
    public static Command Create()
    {
        var model = CliModel.ModelOption();
        var stems = new Option<string?>("--stems") { Description = "Stem collection (MUSDB18-HQ or MoisesDB layout): matched pairs mixture vs mixture without the trait's stem" };
        var folders = new Option<string?>("--folders") { Description = "Folder with with/ and without/ sub-folders of WAV files" };
        var manifest = new Option<string?>("--manifest") { Description = "Manifest file: path,label[,track] per line" };
        var trait = new Option<string>("--trait") { Description = "Trait name; for --stems the stem (e.g. drums, or piano+other_keys)", Required = true };
        var seconds = new Option<double>("--seconds") { Description = "Segment length in seconds (paper: 3)", DefaultValueFactory = _ => 3.0 };
        var direction = new Option<string>("--direction") { Description = "Intervention direction θ: probe (w/|w|, paper) or mass-mean (ITI)", DefaultValueFactory = _ => "probe" };
        direction.AcceptOnlyFromAmong("probe", "mass-mean");
        var output = new Option<string>("--out") { Description = "Output probe set (.probe, a safetensors file)", Required = true };
        var heatmap = new Option<string?>("--heatmap") { Description = "Also write the layers x heads accuracy heatmap as a self-contained (offline) HTML page" };
        var validation = new Option<double>("--validation") { Description = "Fraction of tracks held out for validation", DefaultValueFactory = _ => 0.2 };
        var seed = new Option<int>("--seed") { Description = "Seed of the train/validation track split", DefaultValueFactory = _ => 0 };
        var maxSegments = new Option<int?>("--max-segments-per-track") { Description = "Keep at most this many segments (or pairs) per track" };
        var tau = new Option<double?>("--tau") { Description = "Gate threshold τ (default: median(acc) - std(acc) over all heads)" };
        var monitor = new Option<int>("--monitor") { Description = "Number of monitor heads M (most accurate probes)", DefaultValueFactory = _ => 16 };
        var exponent = new Option<double>("--exponent") { Description = "Exponent p of the soft weights ω = ((a - a_min)/(a_max - a_min))^p", DefaultValueFactory = _ => 3.0 };
        var batch = new Option<int>("--batch") { Description = "Segments per decoder forward pass", DefaultValueFactory = _ => 8 };
        var noCache = new Option<bool>("--no-cache") { Description = "Do not read or write the codes/activation caches" };
        var device = CliModel.DeviceOption();

        var cmd = new Command("probe", "Train one logistic-regression probe per attention head for a trait (SMITIN stage 1) and write the probe set.")
        {
            model, stems, folders, manifest, trait, seconds, direction, output, heatmap, validation, seed, maxSegments, tau, monitor,
            exponent, batch, noCache, device,
        };
        cmd.SetAction((parse, ct) => CliRunner.Guard(() =>
        {
            var sources = new[] { ("--stems", parse.GetValue(stems)), ("--folders", parse.GetValue(folders)), ("--manifest", parse.GetValue(manifest)) }
                .Where(s => s.Item2 is not null).ToArray();
            if (sources.Length != 1)
                throw new SmitinException($"give exactly one data source: --stems DIR, --folders DIR or --manifest FILE (got {(sources.Length == 0 ? "none" : string.Join(" and ", sources.Select(s => s.Item1)))})");
            string traitName = parse.GetValue(trait)!;
            // Checked here, with the option names, before any model loading or capture.
            double secondsValue = parse.GetValue(seconds), validationValue = parse.GetValue(validation), exponentValue = parse.GetValue(exponent);
            if (!(secondsValue > 0) || double.IsInfinity(secondsValue)) throw new SmitinException($"--seconds must be a positive number of seconds, got {secondsValue}");
            if (!(validationValue > 0 && validationValue < 1)) throw new SmitinException($"--validation must be a fraction in (0, 1) (probe accuracy needs held-out tracks), got {validationValue}");
            if (parse.GetValue(maxSegments) is < 1) throw new SmitinException($"--max-segments-per-track must be at least 1, got {parse.GetValue(maxSegments)}");
            if (parse.GetValue(tau) is { } t && !(t >= 0 && t <= 1)) throw new SmitinException($"--tau must be an accuracy in [0, 1], got {t}");
            if (parse.GetValue(monitor) < 1) throw new SmitinException($"--monitor must be at least 1, got {parse.GetValue(monitor)}");
            if (!(exponentValue > 0) || double.IsInfinity(exponentValue)) throw new SmitinException($"--exponent must be a positive number, got {exponentValue}");
            if (parse.GetValue(batch) < 1) throw new SmitinException($"--batch must be at least 1, got {parse.GetValue(batch)}");
            foreach (var (name, file) in new[] { ("--out", parse.GetValue(output)), ("--heatmap", parse.GetValue(heatmap)) })
                if (file is not null && Directory.Exists(file))
                    throw new SmitinException($"{name} {file}: is a folder; expected a file path");
            var segmentOptions = new SegmentOptions
            {
                SegmentSeconds = parse.GetValue(seconds), ValidationFraction = parse.GetValue(validation), Seed = parse.GetValue(seed),
                MaxSegmentsPerTrack = parse.GetValue(maxSegments),
            };
            var (flag, path) = sources[0];
            string modelDir = CliModel.Resolve(parse.GetValue(model)!, ct);
            var config = MusicGenConfig.Load(modelDir);               // fails fast before the data and the weights
            segmentOptions = segmentOptions with { SampleRate = config.AudioEncoder.SamplingRate, Channels = config.Decoder.AudioChannels };
            var dataset = flag switch
            {
                "--stems" => ProbeDataset.FromStems(path!, traitName, segmentOptions),
                "--folders" => ProbeDataset.FromLabelledFolders(path!, traitName, segmentOptions),
                _ => ProbeDataset.FromManifest(path!, traitName, segmentOptions),
            };
            var options = new ProbeTrainerOptions
            {
                Capture = parse.GetValue(noCache) ? CaptureOptions.Uncached with { BatchSize = parse.GetValue(batch) } : new CaptureOptions { BatchSize = parse.GetValue(batch) },
                ProbeSet = new ProbeSetOptions
                {
                    Direction = ProbeSetOptions.ParseDirection(parse.GetValue(direction)!), Tau = parse.GetValue(tau),
                    MonitorHeads = parse.GetValue(monitor), SoftWeightExponent = parse.GetValue(exponent),
                },
            };
            string outPath = parse.GetValue(output)!;
            string? heatPath = parse.GetValue(heatmap);

            using var musicgen = CliModel.Load(modelDir, parse.GetValue(device)!);
            Console.Error.WriteLine($"smitin: probing '{traitName}' from {dataset.Report.Source}: {dataset.TrainTracks.Count} train / {dataset.ValidationTracks.Count} validation tracks");
            var set = ProbeTrainer.Train(musicgen, dataset, options, new StderrProgress(), ct);
            Console.Error.WriteLine(dataset.Report.ToString());
            set.Save(outPath);
            if (heatPath is not null) ProbeHeatmap.Save(set, heatPath);
            foreach (var line in Summary(set)) Console.WriteLine(line);
            Console.WriteLine($"wrote {outPath}{(heatPath is null ? "" : $" and {heatPath}")}");
            return Task.FromResult(0);
        }));
        return cmd;
    }

    /// <summary>The accuracy summary: counts, best heads, τ, monitor heads.</summary>
    internal static IEnumerable<string> Summary(ProbeSet set)
    {
        var p = set.Provenance;
        var acc = set.Accuracy.Select(a => (double)a).OrderBy(a => a).ToArray();
        double median = acc.Length % 2 == 1 ? acc[acc.Length / 2] : (acc[acc.Length / 2 - 1] + acc[acc.Length / 2]) / 2;
        var c = CultureInfo.InvariantCulture;
        yield return string.Create(c, $"trait '{set.Trait}': {set.Layers} layers x {set.Heads} heads probed on {p.TrainPositive}+{p.TrainNegative} train / {p.ValidationPositive}+{p.ValidationNegative} validation segments (with+without), {p.SegmentSeconds:0.###} s each");
        yield return string.Create(c, $"validation accuracy: best {acc[^1]:P1}, median {median:P1}, worst {acc[0]:P1}");
        yield return "best heads: " + string.Join(", ", set.BestHeads(5).Select(h => h.ToString()));
        yield return string.Create(c, $"tau = {set.Tau:F4} ({(set.TauIsDefault ? "median(acc) - std(acc)" : "given")}); direction {ProbeSetOptions.Name(set.Direction)}; soft-weight exponent {set.SoftWeightExponent:0.###}");
        yield return $"monitor heads ({set.MonitorHeads.Length}): " + string.Join(", ", set.Monitor.Select(h => $"L{h.Layer}H{h.Head}"));
    }

    /// <summary>Progress on stderr: capture every 50 segments (the total is not known in advance), training every 10 %.</summary>
    sealed class StderrProgress : IProgress<ProbeProgress>
    {
        readonly object _gate = new();
        string _stage = "";
        int _bucket = -1;

        public void Report(ProbeProgress p)
        {
            lock (_gate)
            {
                bool capture = p.Stage.StartsWith("capture", StringComparison.Ordinal);
                int bucket = capture ? p.Done / 50 : p.Total > 0 ? 10 * p.Done / p.Total : 0;
                if (p.Stage == _stage && bucket == _bucket) return;
                (_stage, _bucket) = (p.Stage, bucket);
                Console.Error.WriteLine(capture ? $"  {p.Stage}: {p.Done} segments" : $"  {p.Stage}: {p.Done}/{p.Total} heads");
            }
        }
    }
}
