using Smitin.Audio;

namespace Smitin.Data;

/// <summary>
/// Matched pairs from a stem collection: positive = sum of all stems, negative = sum of all stems except the target
/// stem(s). Both are built from the same per-stem audio, so negative = positive − target up to float rounding.
/// A window is skipped (and counted) when the target stem is near silent in it, or when the mixture without the target
/// is near silent (a silent negative would teach a loudness cue, not the trait).
/// </summary>
sealed class StemPairSource : ISegmentSource
{
    public const string SkipTargetSilent = "target stem near silent";
    public const string SkipRestSilent = "mixture without target near silent";

    readonly Dictionary<string, StemTrack> _tracks;
    readonly string[] _targets;
    readonly SegmentOptions _o;

    public string Description { get; }
    public IReadOnlyList<string> TrackIds { get; }
    public IReadOnlyList<SkippedTrack> SkippedTracks { get; }

    public StemPairSource(StemCollection collection, IReadOnlyList<string> targets, SegmentOptions options)
    {
        _targets = targets.ToArray();
        _o = options;
        var usable = collection.Tracks.Where(t => _targets.Any(t.HasStem)).ToList();
        if (usable.Count == 0)
            throw new SmitinException($"{collection.Root}: no track has a stem named {string.Join(" or ", _targets.Select(t => $"'{t}'"))}; " +
                                      $"stems in this collection: {string.Join(", ", collection.StemNames)}");
        SkippedTracks = collection.Tracks.Except(usable)
            .Select(t => new SkippedTrack(t.Id, $"no {string.Join("/", _targets)} stem")).ToArray();
        _tracks = usable.ToDictionary(t => t.Id, StringComparer.Ordinal);
        TrackIds = usable.Select(t => t.Id).ToArray();
        var layouts = usable.Select(t => t.Layout == StemLayout.Musdb ? "MUSDB18-HQ" : "MoisesDB").Distinct();
        Description = $"stems ({string.Join(" + ", layouts)} layout) at {collection.Root}";
    }

    public IEnumerable<Segment> Segments(string trackId, SplitCounts counts)
    {
        var track = _tracks[trackId];
        var (target, rest) = Load(track);
        int rate = target.SampleRate;
        int length = SegmentWindows.Frames(_o.SegmentSeconds, rate);
        int hop = SegmentWindows.Frames(_o.HopSeconds ?? _o.SegmentSeconds, rate);

        var kept = new List<int>();
        foreach (int start in SegmentWindows.Starts(target.Frames, length, hop))
        {
            if (SegmentWindows.RmsDbfs(target, start, length) < _o.SilenceThresholdDbfs) counts.Skip(SkipTargetSilent);
            else if (SegmentWindows.RmsDbfs(rest, start, length) < _o.SilenceThresholdDbfs) counts.Skip(SkipRestSilent);
            else kept.Add(start);
        }
        int stemCount = track.Stems.Count;
        string targetNames = string.Join("+", _targets.Where(track.HasStem));
        foreach (int start in SegmentWindows.EvenlySpaced(kept, _o.MaxSegmentsPerTrack))
        {
            var negative = rest.Slice(start, length);
            var positive = negative.Add(target.Slice(start, length));
            double t0 = (double)start / rate;
            yield return new Segment(positive, true, trackId, t0, $"sum of {stemCount} stems");
            yield return new Segment(negative, false, trackId, t0, $"sum of stems without {targetNames}");
        }
    }

    public long MaxSegments(string trackId)
    {
        var track = _tracks[trackId];
        int rate = _o.SampleRate ?? track.SampleRate;
        long windows = SegmentWindows.WindowCount(SegmentWindows.ResampledFrames(track.Frames, track.SampleRate, _o.SampleRate),
            SegmentWindows.Frames(_o.SegmentSeconds, rate), SegmentWindows.Frames(_o.HopSeconds ?? _o.SegmentSeconds, rate));
        if (_o.MaxSegmentsPerTrack is { } m) windows = Math.Min(windows, m);
        return 2 * windows;                                                              // a pair: positive and negative
    }

    /// <summary>Sums the target stem(s) and the other stems separately, then conforms both to the output format.</summary>
    (AudioClip Target, AudioClip Others) Load(StemTrack track)
    {
        int channels = _o.Channels ?? track.Channels;
        float[][]? target = null, rest = null;
        foreach (var (stem, files) in track.Stems.OrderBy(k => k.Key, StringComparer.OrdinalIgnoreCase))
        {
            bool isTarget = _targets.Contains(stem, StringComparer.OrdinalIgnoreCase);
            foreach (var file in files)
            {
                var clip = AudioClip.Load(file);
                clip = clip.Conform(channels, null);
                if (isTarget) Accumulate(ref target, clip.Samples); else Accumulate(ref rest, clip.Samples);
            }
        }
        var t = new AudioClip(target!, track.SampleRate);
        var r = rest is null ? AudioClip.Silence(channels, t.Frames, track.SampleRate) : new AudioClip(rest, track.SampleRate);
        return (t.Conform(null, _o.SampleRate), r.Conform(null, _o.SampleRate));
    }

    static void Accumulate(ref float[][]? acc, float[][] add)
    {
        if (acc is null) { acc = add; return; } // a freshly loaded clip: its arrays are ours
        for (int c = 0; c < acc.Length; c++)
        {
            var a = acc[c]; var b = add[c];
            for (int i = 0; i < a.Length; i++) a[i] += b[i];
        }
    }
}
