using Microsoft.DotNet.Interactive.Directives;
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
    public double? Seconds { get; set; }
    public int? MaxSegmentsPerTrack { get; set; }
    public double? Validation { get; set; }
    public int? Seed { get; set; }
    public string? Var { get; set; }

    internal static KernelActionDirective Declare() => new("dataset", "Build a labelled probing dataset for a trait: synthetic songs (--synthetic) or a stem collection, labelled folder or manifest (--source).")
    {
        Parameters =
        {
            new KernelDirectiveParameter("--trait", "(required) Trait = stem name: drums, bass, piano, guitar, strings, lead for synthetic songs; any stem of a collection (e.g. vocals, or piano+other_keys).")
                { AllowImplicitName = true }.AddCompletions(() => ["drums", "bass", "piano", "guitar", "strings", "lead"]),
            new KernelDirectiveParameter("--synthetic", "Render synthetic songs (MIDI + fluidsynth, stems in the MUSDB18-HQ layout); the positive is the mixture, the negative the mixture without the trait's stem.") { Flag = true },
            new KernelDirectiveParameter("--source", "Stem collection folder (MUSDB18-HQ / MoisesDB layout), labelled folder (with/ and without/) or manifest file."),
            new KernelDirectiveParameter("--songs", "Synthetic: number of songs (default 12).") { TypeHint = "number" },
            new KernelDirectiveParameter("--song-seconds", "Synthetic: length of each song in seconds (default 9).") { TypeHint = "number" },
            new KernelDirectiveParameter("--out", "Synthetic: folder to write the songs to (default: a folder in the Smitin cache named after the options; re-runs reuse it)."),
            new KernelDirectiveParameter("--seconds", "Segment length in seconds (default 3, as the paper).") { TypeHint = "number" },
            new KernelDirectiveParameter("--max-segments-per-track", "Keep at most this many segments (pairs) per track (default: all).") { TypeHint = "number" },
            new KernelDirectiveParameter("--validation", "Share of tracks held out for validation (default 0.2).") { TypeHint = "number" },
            new KernelDirectiveParameter("--seed", "Seed of the synthetic songs and of the track split (default 0).") { TypeHint = "number" },
            new KernelDirectiveParameter("--var", "C# variable to bind the dataset to (default: dataset)."),
            SmitinMagics.HelpParameter(),
        },
    };

    internal override async Task RunAsync(MagicContext magic)
    {
        Check(!string.IsNullOrWhiteSpace(Trait), "--trait is required (e.g. drums)");
        Check(Synthetic != (Source is not null), "give exactly one of --synthetic or --source <folder or manifest>");
        Check(Synthetic || (Songs is null && SongSeconds is null && Out is null), "--songs, --song-seconds and --out only apply to --synthetic");
        CheckRange(Songs, "--songs", 2, 10000);
        CheckRange(SongSeconds, "--song-seconds", 1, 600);
        CheckRange(Seconds, "--seconds", 0.5, 60);
        CheckRange(MaxSegmentsPerTrack, "--max-segments-per-track", 1, int.MaxValue);
        CheckRange(Validation, "--validation", 0.01, 0.9);

        var segments = new SegmentOptions
        {
            SegmentSeconds = Seconds ?? 3.0,
            MaxSegmentsPerTrack = MaxSegmentsPerTrack,
            ValidationFraction = Validation ?? 0.2,
            Seed = Seed ?? 0,
        };
        string source = Source!;
        if (Synthetic)
        {
            var synth = new SynthOptions { Songs = Songs ?? 12, Seconds = SongSeconds ?? 9, Seed = Seed ?? 0 };
            Check(Trait!.Split('+').All(t => SynthStems.All.Contains(t.ToLowerInvariant())),
                $"--trait '{Trait}': synthetic songs have the stems {string.Join(", ", SynthStems.All)}");
            source = Out ?? Path.Combine(CacheDirs.Root, "synthetic", $"songs{synth.Songs}-{synth.Seconds:0.##}s-seed{synth.Seed}");
            var progress = magic.StartProgress($"synthetic songs -> {source}");
            try
            {
                var result = await Task.Run(() => SyntheticSongGenerator.Generate(source, synth,
                    new SyncProgress<string>(line => progress.Report(line)), magic.CancellationToken), magic.CancellationToken);
                progress.Finish($"{result.Generated} rendered, {result.Reused} reused");
            }
            catch
            {
                progress.Finish("failed", failed: true);
                throw;
            }
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
