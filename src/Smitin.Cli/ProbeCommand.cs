using System.CommandLine;
using System.Globalization;
using Smitin.Data;
using Smitin.Models;
using Smitin.Probing;
using Smitin.Viz;

namespace Smitin.Cli;

/// <summary>
/// <c>smitin probe --model DIR --source (stem collection | folder with with/ and without/ | manifest) --trait drums
/// [--segment-seconds S] [--direction probe|mass-mean] --out drums.probe [--heatmap drums.html]</c>: trains one probe
/// per attention head and prints the accuracy summary. Defaults: the engine's records (<see cref="SegmentOptions"/>,
/// <see cref="ProbeSetOptions"/>, <see cref="CaptureOptions"/>); names: docs/options.md.
/// </summary>
static class ProbeCommand
{
    public static Command Create()
    {
        var segmentDefaults = new SegmentOptions();
        var setDefaults = new ProbeSetOptions();
        var captureDefaults = new CaptureOptions { CodesCache = null, ActivationCache = null };
        var model = CliModel.ModelOption();
        var source = new Option<string>("--source") { Description = "Probing data: a stem collection (MUSDB18-HQ or MoisesDB layout: matched pairs mixture vs mixture without the trait's stem), a folder with with/ and without/ sub-folders of WAV files, or a manifest file (path,label[,track] per line)", Required = true };
        var trait = new Option<string>("--trait") { Description = "Trait name; for a stem collection the stem (e.g. drums, or piano+other_keys)", Required = true };
        var segmentSeconds = new Option<double>("--segment-seconds") { Description = $"Segment length in seconds (default {segmentDefaults.SegmentSeconds}, the paper's)" };
        var direction = new Option<string>("--direction") { Description = $"Intervention direction θ: probe (w/|w|, paper) or mass-mean (ITI) (default {ProbeSetOptions.Name(setDefaults.Direction)})" };
        direction.AcceptOnlyFromAmong("probe", "mass-mean");
        var output = new Option<string>("--out") { Description = "Output probe set (.probe, a safetensors file)", Required = true };
        var heatmap = new Option<string?>("--heatmap") { Description = "Also write the layers x heads accuracy heatmap as a self-contained (offline) HTML page" };
        var validation = new Option<double>("--validation") { Description = $"Fraction of tracks held out for validation (default {segmentDefaults.ValidationFraction})" };
        var seed = new Option<int>("--seed") { Description = $"Seed of the train/validation track split (default: {RandomSeed.Default})" };
        var maxSegments = new Option<int>("--max-segments-per-track") { Description = "Keep at most this many segments (or pairs) per track (default: all)" };
        var tau = new Option<double>("--tau") { Description = "Gate threshold τ (default: median(acc) - std(acc) over all heads)" };
        var monitorHeads = new Option<int>("--monitor-heads") { Description = $"Number of monitor heads M (most accurate probes; default {setDefaults.MonitorHeadCount})" };
        var exponent = new Option<double>("--soft-weight-exponent") { Description = $"Exponent p of the soft weights ω = ((a - a_min)/(a_max - a_min))^p (default {setDefaults.SoftWeightExponent})" };
        var batchSize = new Option<int>("--batch-size") { Description = $"Segments per decoder forward pass (default {captureDefaults.BatchSize})" };
        var maxCaptured = new Option<int>("--max-segments") { Description = $"Most segments captured, train and validation together (their activations stay in memory: layers × heads × head_dim × 4 bytes each; default {captureDefaults.MaxSegments})" };
        var noCache = new Option<bool>("--no-cache") { Description = "Do not read or write the codes/activation caches" };
        var device = CliModel.DeviceOption();

        var cmd = new Command("probe", "Train one logistic-regression probe per attention head for a trait (SMITIN stage 1) and write the probe set.")
        {
            model, source, trait, segmentSeconds, direction, output, heatmap, validation, seed, maxSegments, tau, monitorHeads,
            exponent, batchSize, maxCaptured, noCache, device,
        };
        cmd.SetAction((parse, ct) => CliRunner.Guard(() =>
        {
            string traitName = parse.GetValue(trait)!;
            // The engine's records, checked here (with the option names) before any model loading or capture.
            var segmentOptions = segmentDefaults with
            {
                SegmentSeconds = parse.Given(segmentSeconds) ?? segmentDefaults.SegmentSeconds,
                ValidationFraction = parse.Given(validation) ?? segmentDefaults.ValidationFraction,
                Seed = parse.Given(seed) ?? segmentDefaults.Seed,                 // none: the dataset draws one (recorded)
                MaxSegmentsPerTrack = parse.Given(maxSegments),
            };
            ProbeTrainer.ValidateSegments(segmentOptions);
            var setOptions = setDefaults with
            {
                Direction = parse.GetValue(direction) is { } d ? ProbeSetOptions.ParseDirection(d) : setDefaults.Direction,
                Tau = parse.Given(tau),
                MonitorHeadCount = parse.Given(monitorHeads) ?? setDefaults.MonitorHeadCount,
                SoftWeightExponent = parse.Given(exponent) ?? setDefaults.SoftWeightExponent,
            };
            setOptions.Validate();
            var capture = (parse.GetValue(noCache) ? CaptureOptions.Uncached : new CaptureOptions()) with
            {
                BatchSize = parse.Given(batchSize) ?? captureDefaults.BatchSize,
                MaxSegments = parse.Given(maxCaptured) ?? captureDefaults.MaxSegments,
            };
            capture.Validate();
            foreach (var (name, file) in new[] { ("out", parse.GetValue(output)), ("heatmap", parse.GetValue(heatmap)) })
                if (file is not null) AtomicFile.CheckWritable(file, name);
            string dataPath = parse.GetValue(source)!;
            string modelDir = CliModel.Resolve(parse.GetValue(model)!, ct);
            var config = MusicGenConfig.Load(modelDir);               // fails fast before the data and the weights
            segmentOptions = segmentOptions with { SampleRate = config.AudioEncoder.SamplingRate, Channels = config.Decoder.AudioChannels };
            var dataset = ProbeDataset.Open(dataPath, traitName, segmentOptions);
            ProbeTrainer.CheckCapture(config, dataset, capture);      // segment length and count, before the weights load
            var options = new ProbeTrainerOptions { Capture = capture, ProbeSet = setOptions };
            string outPath = parse.GetValue(output)!;
            string? heatPath = parse.GetValue(heatmap);

            using var musicgen = CliModel.Load(modelDir, parse.GetValue(device)!);
            Console.Error.WriteLine($"smitin: probing '{traitName}' from {dataset.Report.Source}: {dataset.TrainTracks.Count} train / {dataset.ValidationTracks.Count} validation tracks, split seed {dataset.Report.SplitSeed}");
            var set = ProbeTrainer.Train(musicgen, dataset, options, Progress(), ct);
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
        var acc = set.Accuracy.Select(a => (double)a).Order().ToArray();
        double median = Median.OfSorted(acc);
        var c = CultureInfo.InvariantCulture;
        yield return string.Create(c, $"trait '{set.Trait}': {set.Layers} layers x {set.Heads} heads probed on {p.TrainPositive}+{p.TrainNegative} train / {p.ValidationPositive}+{p.ValidationNegative} validation segments (with+without), {p.SegmentSeconds:0.###} s each");
        yield return string.Create(c, $"validation accuracy: best {acc[^1]:P1}, median {median:P1}, worst {acc[0]:P1}");
        yield return "best heads: " + string.Join(", ", set.BestHeads(5).Select(h => h.ToString()));
        yield return string.Create(c, $"tau = {set.Tau:F4} ({(set.TauIsDefault ? "median(acc) - std(acc)" : "given")}); direction {ProbeSetOptions.Name(set.Direction)}; soft-weight exponent {set.SoftWeightExponent:0.###}");
        yield return $"monitor heads ({set.MonitorHeadIndices.Length}): " + string.Join(", ", set.Monitor.Select(h => $"L{h.Layer}H{h.Head}"));
    }

    /// <summary>Probing progress on stderr: capture every 50 segments (the total is not known in advance), training every 10 %.</summary>
    static StderrProgress<ProbeProgress> Progress() => new(
        p => p.Stage.StartsWith("capture", StringComparison.Ordinal) ? (p.Stage, p.Done / 50) : (p.Stage, p.Total > 0 ? 10 * p.Done / p.Total : 0),
        p => p.Stage.StartsWith("capture", StringComparison.Ordinal) ? $"{p.Stage}: {p.Done} segments" : $"{p.Stage}: {p.Done}/{p.Total} heads");
}
