using Smitin.Audio;

namespace Smitin.Data;

/// <summary>
/// Segments from individually labelled files (a manifest or with/without folders). Each file is cut into full
/// windows; a file shorter than one segment becomes one shorter segment if it lasts at least
/// <see cref="SegmentOptions.MinSegmentSeconds"/>. Near-silent segments are skipped and counted.
/// Headers of all files are read when the source is created, so a corrupt file fails early.
/// </summary>
sealed class LabelledSource : ISegmentSource
{
    public const string SkipSilent = "segment near silent";
    readonly ILookup<string, ManifestEntry> _byTrack;
    readonly Dictionary<string, WavInfo> _info = new(StringComparer.Ordinal);
    readonly SegmentOptions _o;

    public string Description { get; }
    public IReadOnlyList<string> TrackIds { get; }
    public IReadOnlyList<SkippedTrack> SkippedTracks { get; } = [];

    public LabelledSource(IReadOnlyList<ManifestEntry> entries, string description, SegmentOptions options)
    {
        foreach (var e in entries) _info[e.Path] = AudioClip.ReadInfo(e.Path);
        _o = options;
        _byTrack = entries.ToLookup(e => e.TrackId, StringComparer.Ordinal);
        TrackIds = _byTrack.Select(g => g.Key).ToArray();
        Description = description;
    }

    public long MaxSegments(string trackId)
    {
        long total = 0;
        foreach (var entry in _byTrack[trackId])
        {
            var info = _info[entry.Path];
            int rate = _o.SampleRate ?? info.SampleRate;
            long frames = SegmentWindows.ResampledFrames(info.Frames, info.SampleRate, _o.SampleRate);
            long windows = SegmentWindows.WindowCount(frames, SegmentWindows.Frames(_o.SegmentSeconds, rate), SegmentWindows.Frames(_o.HopSeconds ?? _o.SegmentSeconds, rate));
            if (windows == 0 && (double)frames / rate >= _o.MinSegmentSeconds) windows = 1;   // one shorter segment
            if (_o.MaxSegmentsPerTrack is { } m) windows = Math.Min(windows, m);              // applied per file, as Segments does
            total += windows;
        }
        return total;
    }

    public IEnumerable<Segment> Segments(string trackId, SplitCounts counts)
    {
        foreach (var entry in _byTrack[trackId].OrderByDescending(e => e.HasTrait).ThenBy(e => e.Path, StringComparer.Ordinal))
        {
            var clip = AudioClip.Load(entry.Path).Conform(_o.Channels, _o.SampleRate);
            int rate = clip.SampleRate;
            int length = SegmentWindows.Frames(_o.SegmentSeconds, rate);
            int hop = SegmentWindows.Frames(_o.HopSeconds ?? _o.SegmentSeconds, rate);
            var starts = SegmentWindows.Starts(clip.Frames, length, hop);
            if (starts.Count == 0)
            {
                if (clip.DurationSeconds < _o.MinSegmentSeconds) { counts.Skip($"file shorter than {_o.MinSegmentSeconds:0.###} s"); continue; }
                starts.Add(0);
                length = clip.Frames;
            }
            var kept = new List<int>();
            foreach (int s in starts)
            {
                if (SegmentWindows.RmsDbfs(clip, s, length) < _o.SilenceThresholdDbfs) counts.Skip(SkipSilent);
                else kept.Add(s);
            }
            foreach (int s in SegmentWindows.EvenlySpaced(kept, _o.MaxSegmentsPerTrack))
                yield return new Segment(clip.Slice(s, length), entry.HasTrait, trackId, (double)s / rate, entry.Path);
        }
    }
}
