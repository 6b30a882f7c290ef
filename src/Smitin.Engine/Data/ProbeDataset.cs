namespace Smitin.Data;

/// <summary>
/// Segments with and without a trait, split by track into train and validation. Segments are produced lazily:
/// enumerating <see cref="Train"/> or <see cref="Validation"/> loads one track at a time, so a large collection is
/// never held in memory (call <c>.ToList()</c> to keep them). Each enumeration re-reads the audio and restarts that
/// split's counts in <see cref="Report"/>; do not enumerate the same split twice concurrently.
/// </summary>
public sealed class ProbeDataset
{
    readonly ISegmentSource _source;

    /// <summary>Trait the segments are labelled for.</summary>
    public string Trait { get; }
    /// <summary>Segmenting and split settings, the seed resolved (<see cref="RandomSeed"/>: the one used).</summary>
    public SegmentOptions Options { get; }
    /// <summary>What the dataset holds and left out; segment counts fill in while the splits are enumerated.</summary>
    public DatasetReport Report { get; }
    /// <summary>Track ids of the training split.</summary>
    public IReadOnlyList<string> TrainTracks => Report.TrainTracks;
    /// <summary>Track ids of the validation split.</summary>
    public IReadOnlyList<string> ValidationTracks => Report.ValidationTracks;

    /// <summary>Training segments (for stem pairs: positive then negative of each window).</summary>
    public IEnumerable<Segment> Train => Enumerate(Report.TrainTracks, Report.Train);
    /// <summary>Validation segments, from tracks disjoint from <see cref="TrainTracks"/>.</summary>
    public IEnumerable<Segment> Validation => Enumerate(Report.ValidationTracks, Report.Validation);

    ProbeDataset(ISegmentSource source, string trait, SegmentOptions options)
    {
        _source = source;
        Trait = trait;
        int seed = RandomSeed.Resolve(options.Seed);
        Options = options with { Seed = seed };
        var (train, val) = TrackSplit.Split(source.TrackIds, options.ValidationFraction, seed);
        Report = new DatasetReport
        {
            Source = source.Description, Trait = trait, SplitSeed = seed,
            TrainTracks = train, ValidationTracks = val, SkippedTracks = source.SkippedTracks,
        };
    }

    /// <summary>
    /// At most this many segments (train + validation; a stem pair is two), counted from the files' lengths without
    /// reading any audio, before near-silent windows are skipped. What a capture of the whole dataset holds at most;
    /// <see cref="Probing.CaptureOptions.CheckSegmentCount"/> refuses it up front when that is too much.
    /// </summary>
    public long MaxSegmentCount => _maxSegments ??= Report.TrainTracks.Concat(Report.ValidationTracks).Sum(_source.MaxSegments);
    long? _maxSegments;

    IEnumerable<Segment> Enumerate(IReadOnlyList<string> tracks, SplitCounts counts)
    {
        counts.Reset();
        foreach (var track in tracks)
            foreach (var segment in _source.Segments(track, counts))
            {
                counts.Count(segment);
                yield return segment;
            }
        counts.Finish();
    }

    /// <summary>
    /// Matched pairs from a stem collection (MUSDB18-HQ or MoisesDB layout). <paramref name="trait"/> is a stem name
    /// (case-insensitive), or several joined by '+' ("piano+other_keys") whose sum is the target. Tracks without the
    /// target stem are skipped and listed in the report.
    /// </summary>
    public static ProbeDataset FromStems(string root, string trait, SegmentOptions? options = null, StemLayout layout = StemLayout.Auto)
    {
        options ??= new SegmentOptions();
        options.Validate();
        return FromStems(StemCollection.Open(root, layout), trait, options);
    }

    /// <summary>Matched pairs from a stem collection: each window of a track with the trait stem is a positive (the mix
    /// of
    /// every stem) and a negative (the same mix without the trait stem); tracks without it are skipped.</summary>
    /// <exception cref="OptionException">an option is out of range</exception>
    /// <exception cref="SmitinException">no track has the trait stem, or too few tracks for a split</exception>
    public static ProbeDataset FromStems(StemCollection collection, string trait, SegmentOptions? options = null)
    {
        options ??= new SegmentOptions();
        options.Validate();
        var targets = trait.Split('+', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (targets.Length == 0) throw new SmitinException($"trait '{trait}': expected a stem name such as drums, bass or piano");
        return new ProbeDataset(new StemPairSource(collection, targets, options), trait, options);
    }

    /// <summary>A folder with <c>with/</c> and <c>without/</c> sub-folders of WAV files (see <see cref="Manifest.FromLabelledFolders"/>).</summary>
    public static ProbeDataset FromLabelledFolders(string root, string trait = "trait", SegmentOptions? options = null)
    {
        options ??= new SegmentOptions();
        options.Validate();
        return new ProbeDataset(new LabelledSource(Manifest.FromLabelledFolders(root), $"labelled folders at {root}", options), trait, options);
    }

    /// <summary>A manifest of labelled files (see <see cref="Manifest"/> for the format).</summary>
    public static ProbeDataset FromManifest(string manifestPath, string trait = "trait", SegmentOptions? options = null)
    {
        options ??= new SegmentOptions();
        options.Validate();
        return new ProbeDataset(new LabelledSource(Manifest.Read(manifestPath), $"manifest {manifestPath}", options), trait, options);
    }

    /// <summary>
    /// Picks the source by what <paramref name="path"/> is: a file → manifest; a folder with <c>with/</c> and
    /// <c>without/</c> → labelled folders; any other folder → stem collection (then <paramref name="trait"/> names the stem).
    /// </summary>
    public static ProbeDataset Open(string path, string trait, SegmentOptions? options = null, StemLayout layout = StemLayout.Auto)
    {
        if (File.Exists(path))
        {
            if (path.EndsWith(".wav", StringComparison.OrdinalIgnoreCase))
                throw new SmitinException($"{path}: a single WAV file is not a dataset; expected a stem collection folder, a folder with with/ and without/, or a manifest file");
            return FromManifest(path, trait, options);
        }
        if (!Directory.Exists(path)) throw new SmitinException($"{path}: not found; expected a stem collection folder, a folder with with/ and without/, or a manifest file");
        if (Directory.Exists(Path.Combine(path, "with")) && Directory.Exists(Path.Combine(path, "without")))
            return FromLabelledFolders(path, trait, options);
        return FromStems(path, trait, options, layout);
    }
}
