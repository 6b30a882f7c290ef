namespace Smitin.Data;

/// <summary>Something that can cut one track into probe segments (stem pairs, labelled files).</summary>
interface ISegmentSource
{
    /// <summary>One line for reports, e.g. "stems (MUSDB18-HQ) at /data/musdb18hq".</summary>
    string Description { get; }
    /// <summary>Tracks that can yield segments (after track-level skips).</summary>
    IReadOnlyList<string> TrackIds { get; }
    IReadOnlyList<SkippedTrack> SkippedTracks { get; }
    /// <summary>Segments of one track, loading its audio lazily; skipped segments are counted in <paramref name="counts"/>.</summary>
    IEnumerable<Segment> Segments(string trackId, SplitCounts counts);
    /// <summary>At most how many segments <see cref="Segments"/> yields for the track, from the files' lengths (headers
    /// only, no audio read): every window counted, before near-silent ones are skipped.</summary>
    long MaxSegments(string trackId);
}
