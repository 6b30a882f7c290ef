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

    /// <summary>Fraction of tracks held out for validation (split by track, never by segment). Default <see cref="DefaultValidationFraction"/>.</summary>
    public double ValidationFraction { get; init; } = DefaultValidationFraction;

    /// <summary>
    /// 0.2: the one default of <c>--validation</c> (docs/options.md), here and for the trait judge
    /// (<see cref="Judging.TraitJudgeOptions.ValidationFraction"/>): a fifth of the tracks (songs) held out.
    /// </summary>
    public const double DefaultValidationFraction = 0.2;

    /// <summary>Seed of the track split. Null = a random seed (<see cref="RandomSeed"/>), drawn when the dataset is opened
    /// and recorded in <see cref="DatasetReport.SplitSeed"/> and the probe set's provenance.</summary>
    public int? Seed { get; init; }

    /// <summary>Longest segment or hop: one segment is held in memory as float32 samples and fed to the decoder,
    /// whose context is seconds, not hours; the bound also keeps seconds × rate far inside an int.</summary>
    public const double MaxSegmentSeconds = 3600;
    /// <summary>Shortest segment or hop (0.1 s = 5 frames at 50 Hz): shorter audio is below the codec's receptive field,
    /// and a denormal hop would cut a track into billions of segments.</summary>
    public const double MinSegmentLength = 0.1;

    /// <exception cref="SmitinException">a value is NaN, ±∞ or out of range; the message names the option</exception>
    public void Validate()
    {
        OptionRange.Check("segment-seconds", SegmentSeconds, MinSegmentLength, MaxSegmentSeconds, "segment length in seconds; a segment must hold a few codec frames");
        if (HopSeconds is { } h) OptionRange.Check("hop-seconds", h, MinSegmentLength, MaxSegmentSeconds, "distance between segment starts");
        if (SampleRate is { } r) OptionRange.Check("sample-rate", r, 1000, 384_000, "Hz");
        if (Channels is { } c) OptionRange.Check("channels", c, 1, 2);
        if (!double.IsNegativeInfinity(SilenceThresholdDbfs))                              // -∞ keeps every segment
            OptionRange.Check("silence-db", SilenceThresholdDbfs, -400, 0, "dBFS; -Infinity keeps every segment");
        if (!(ValidationFraction is >= 0 and < 1)) throw new OptionException("validation", $"{OptionRange.Text(ValidationFraction)}: expected a fraction in [0, 1)");
        if (MaxSegmentsPerTrack is { } m) OptionRange.Check("max-segments-per-track", m, 1, int.MaxValue);
        OptionRange.Check("min-segment-seconds", MinSegmentSeconds, 0, MaxSegmentSeconds);
    }
}
