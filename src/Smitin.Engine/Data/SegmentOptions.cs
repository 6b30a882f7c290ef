namespace Smitin.Data;

/// <summary>How sources are cut into probe segments. Defaults suit MusicGen mono (32 kHz, 3 s segments as in the paper).</summary>
public sealed record SegmentOptions
{
    /// <summary>Segment length in seconds (paper: 3 s).</summary>
    public double SegmentSeconds { get; init; } = 3.0;

    /// <summary>Distance between segment starts; null = <see cref="SegmentSeconds"/> (no overlap).</summary>
    public double? HopSeconds { get; init; }

    /// <summary>Output sample rate (audio is resampled with the WDL resampler); null keeps each file's rate.</summary>
    public int? SampleRate { get; init; } = 32000;

    /// <summary>Output channels (1 = mean downmix, see <see cref="Audio.AudioClip"/>); null keeps the source channels.</summary>
    public int? Channels { get; init; } = 1;

    /// <summary>
    /// A segment whose target stem (stem collections) or whose own audio (labelled sources) has an RMS below this many
    /// dBFS is skipped and counted in the report. For stem pairs the negative (mixture without the target) is checked too.
    /// </summary>
    public double SilenceThresholdDbfs { get; init; } = -45.0;

    /// <summary>Labelled files shorter than one segment become one shorter segment if at least this long; else skipped and counted.</summary>
    public double MinSegmentSeconds { get; init; } = 1.0;

    /// <summary>Keep at most this many (evenly spaced) segments or pairs per track; null = all.</summary>
    public int? MaxSegmentsPerTrack { get; init; }

    /// <summary>Fraction of tracks held out for validation (split by track, never by segment).</summary>
    public double ValidationFraction { get; init; } = 0.2;

    /// <summary>Seed of the track split.</summary>
    public int Seed { get; init; } = 0;

    /// <summary>Checks the values.</summary>
    /// <exception cref="OptionException">a value is out of range (<c>segment-seconds</c>, <c>validation</c>,
    /// <c>max-segments-per-track</c>, ...)</exception>
    public void Validate()
    {
        if (!(SegmentSeconds > 0) || double.IsInfinity(SegmentSeconds)) throw new OptionException("segment-seconds", $"expected a positive number of seconds, got {SegmentSeconds}");
        if (HopSeconds is { } h && !(h > 0)) throw new SmitinException($"hop must be positive, got {h} s");
        if (SampleRate is { } r && r <= 0) throw new SmitinException($"sample rate must be positive, got {r}");
        if (Channels is { } c && c is < 1 or > 2) throw new SmitinException($"channels must be 1 or 2, got {c}");
        if (!(ValidationFraction is >= 0 and < 1)) throw new OptionException("validation", $"expected a fraction in [0, 1), got {ValidationFraction}");
        if (MaxSegmentsPerTrack is { } m && m < 1) throw new OptionException("max-segments-per-track", $"expected >= 1, got {m}");
        if (MinSegmentSeconds < 0) throw new SmitinException($"minimum segment length must be ≥ 0, got {MinSegmentSeconds} s");
    }
}
