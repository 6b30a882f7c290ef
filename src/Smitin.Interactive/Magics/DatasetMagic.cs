using System.ComponentModel;
using Smitin.Data;
using Smitin.Data.Synth;

namespace Smitin.Interactive.Magics;

/// <summary>
/// <c>#!smitin dataset &lt;trait&gt;</c>: a labelled probing dataset, either synthetic songs rendered on the spot
/// (<c>--synthetic</c>) or an existing source (<c>--source</c>: stem collection, labelled folder or manifest).
/// </summary>
public sealed class DatasetMagic : SmitinMagicCommand
{
    public string? Trait { get; set; }
    public bool Synthetic { get; set; }
    public string? Source { get; set; }
    public int? Songs { get; set; }
    public double? SongSeconds { get; set; }
    public string? Out { get; set; }
    public double? SegmentSeconds { get; set; }
    public int? MaxSegmentsPerTrack { get; set; }
    public double? Validation { get; set; }
    public int? Seed { get; set; }
    public string? Var { get; set; }

    /// <summary>Deprecated alias of <see cref="SegmentSeconds"/> (<c>--seconds</c>).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)] public double? Seconds { get; set; }

    internal override string? VariableName => Var;

    internal const string Description = "Build a labelled probing dataset for a trait: synthetic songs (--synthetic) or a stem collection, labelled folder or manifest (--source).";

    internal static IReadOnlyList<MagicOption> Options()
    {
        var synth = new SynthOptions();
        var segments = new SegmentOptions();
        var segmentSeconds = new MagicOption("--segment-seconds", $"Segment length in seconds (default {segments.SegmentSeconds}, as the paper).", MagicValueKind.Number);
        return
        [
            new("--trait", $"(required) Trait = stem name: {string.Join(", ", SynthStems.All)} for synthetic songs; any stem of a collection (e.g. vocals, or piano+other_keys).")
                { Implicit = true, Completions = SynthStems.All },
            new("--synthetic", "Render synthetic songs (MIDI + fluidsynth, stems in the MUSDB18-HQ layout); the positive is the mixture, the negative the mixture without the trait's stem.", MagicValueKind.Flag),
            new("--source", "Stem collection folder (MUSDB18-HQ / MoisesDB layout), labelled folder (with/ and without/) or manifest file."),
            new("--songs", $"Synthetic: number of songs (default {synth.Songs}).", MagicValueKind.Integer),
            new("--song-seconds", $"Synthetic: length of each song in seconds (default {synth.Seconds}).", MagicValueKind.Number),
            new("--out", "Synthetic: folder to write the songs to (default: a folder in the Smitin cache named after the options; re-runs reuse it)."),
            segmentSeconds,
            new("--max-segments-per-track", "Keep at most this many segments (pairs) per track (default: all).", MagicValueKind.Integer),
            new("--validation", $"Share of tracks held out for validation (default {segments.ValidationFraction}).", MagicValueKind.Number),
            new("--seed", $"Seed of the synthetic songs and of the track split (default: {RandomSeed.Default}).", MagicValueKind.Integer),
            MagicOptions.Var("dataset", "dataset"), MagicOptions.Help(),
            segmentSeconds.Alias("--seconds"),
        ];
    }

    internal override async Task RunAsync(MagicContext magic)
    {
        Check(!string.IsNullOrWhiteSpace(Trait), "--trait is required (e.g. drums)");
        Check(Synthetic != (Source is not null), "give exactly one of --synthetic or --source <folder or manifest>");
        Check(Synthetic || (Songs is null && SongSeconds is null && Out is null), "--songs, --song-seconds and --out only apply to --synthetic");
        var segmentDefaults = new SegmentOptions();
        int seed = RandomSeed.Resolve(Seed ?? segmentDefaults.Seed);              // one seed for the songs and the split, shown
        var segments = segmentDefaults with
        {
            SegmentSeconds = SegmentSeconds ?? segmentDefaults.SegmentSeconds,
            MaxSegmentsPerTrack = MaxSegmentsPerTrack,
            ValidationFraction = Validation ?? segmentDefaults.ValidationFraction,
            Seed = seed,
        };
        segments.Validate();                                                      // OptionException: shown with the help
        string source = Source!;
        if (Synthetic)
        {
            var synthDefaults = new SynthOptions();
            var synth = synthDefaults with
            {
                Songs = Songs ?? synthDefaults.Songs,
                Seconds = SongSeconds ?? synthDefaults.Seconds,
                Seed = seed,
            };
            synth.Validate();
            Check(Trait!.Split('+').All(t => SynthStems.All.Contains(t.ToLowerInvariant())),
                $"--trait '{Trait}': synthetic songs have the stems {string.Join(", ", SynthStems.All)}");
            source = Out ?? Path.Combine(CacheDirs.Root, "synthetic", $"songs{synth.Songs}-{synth.Seconds:0.##}s-seed{synth.Seed}");
            AtomicFile.CheckWritableFolder(source, "out");                        // before rendering, not after
            var progress = magic.StartProgress($"synthetic songs -> {source}");
            await progress.Track(() => Task.Run(() => SyntheticSongGenerator.Generate(source, synth,
                    new SyncProgress<string>(line => progress.Report(line)), magic.CancellationToken), magic.CancellationToken),
                result => $"{result.Generated} rendered, {result.Reused} reused, seed {result.Seed}");
        }
        else if (!Directory.Exists(source) && !File.Exists(source))
        {
            throw new MagicUsageException($"--source '{source}': no such folder or manifest file");
        }

        var dataset = ProbeDataset.Open(source, Trait!, segments);
        magic.Session.Dataset = dataset;
        magic.Display(dataset);
        await magic.BindAsync(Var ?? "dataset", dataset);
    }
}
