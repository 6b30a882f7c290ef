using System.Text;

namespace Smitin.Data;

/// <summary>A track left out entirely, and why (e.g. it has no stem for the trait).</summary>
public sealed record SkippedTrack(string TrackId, string Reason);

/// <summary>Counts for one split, filled while the split is enumerated.</summary>
public sealed class SplitCounts
{
    readonly Dictionary<string, int> _skipped = new();
    /// <summary>Segments with the trait enumerated so far.</summary>
    public int Positives { get; private set; }
    /// <summary>Segments without the trait enumerated so far.</summary>
    public int Negatives { get; private set; }
    /// <summary>Skipped segments (a skipped pair counts once) by reason.</summary>
    public IReadOnlyDictionary<string, int> Skipped => _skipped;
    /// <summary>True once the split has been enumerated to the end; counts are final only then.</summary>
    public bool Complete { get; private set; }

    internal void Reset() { Positives = Negatives = 0; _skipped.Clear(); Complete = false; }
    internal void Count(Segment s) { if (s.HasTrait) Positives++; else Negatives++; }
    internal void Skip(string reason) => _skipped[reason] = _skipped.GetValueOrDefault(reason) + 1;
    internal void Finish() => Complete = true;

    /// <summary><c>N with, N without; skipped ...</c>, one line.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder($"{Positives} with, {Negatives} without");
        if (_skipped.Count > 0)
            sb.Append("; skipped ").Append(string.Join(", ", _skipped.OrderBy(k => k.Key, StringComparer.Ordinal).Select(k => $"{k.Value} ({k.Key})")));
        if (!Complete) sb.Append(" [not fully enumerated]");
        return sb.ToString();
    }
}

/// <summary>
/// What a <see cref="ProbeDataset"/> holds and what it left out. Track-level facts are known when the dataset is
/// opened; segment counts are filled while <see cref="ProbeDataset.Train"/> / <see cref="ProbeDataset.Validation"/> are
/// enumerated (each new enumeration of a split restarts that split's counts).
/// </summary>
public sealed class DatasetReport
{
    /// <summary>Where the data came from, e.g. <c>stems:/data/musdb</c> or <c>synthetic</c>.</summary>
    public required string Source { get; init; }
    /// <summary>Trait the dataset is labelled for.</summary>
    public required string Trait { get; init; }
    /// <summary>Track ids on the training side of the split.</summary>
    public required IReadOnlyList<string> TrainTracks { get; init; }
    /// <summary>Track ids on the validation side of the split.</summary>
    public required IReadOnlyList<string> ValidationTracks { get; init; }
    /// <summary>Seed of the track split (the one given, or the random one drawn: <see cref="RandomSeed"/>).</summary>
    public required int SplitSeed { get; init; }
    /// <summary>Tracks left out entirely, with the reason.</summary>
    public required IReadOnlyList<SkippedTrack> SkippedTracks { get; init; }
    /// <summary>Segment counts of the training split.</summary>
    public SplitCounts Train { get; } = new();
    /// <summary>Segment counts of the validation split.</summary>
    public SplitCounts Validation { get; } = new();

    /// <summary>A multi-line summary: source, trait, tracks per split, segment counts, skipped tracks.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.AppendLine($"source: {Source}");
        sb.AppendLine($"trait: {Trait}");
        sb.AppendLine($"tracks: {TrainTracks.Count} train, {ValidationTracks.Count} validation, {SkippedTracks.Count} skipped (split seed {SplitSeed})");
        foreach (var g in SkippedTracks.GroupBy(t => t.Reason).OrderBy(g => g.Key, StringComparer.Ordinal))
            sb.AppendLine($"  skipped tracks ({g.Key}): {g.Count()}");
        sb.AppendLine($"train segments: {Train}");
        sb.Append($"validation segments: {Validation}");
        return sb.ToString();
    }
}
