namespace Smitin.Judging;

/// <summary>
/// How <see cref="TraitJudge.Train"/> builds its examples from a stem collection and fits the judge. Every default and
/// validation rule lives here; the CLI (<c>smitin judge train</c>) maps its options onto these properties.
/// </summary>
public sealed record TraitJudgeOptions
{
    /// <summary>The trait: a stem name of the collection (drums, bass, piano, guitar, strings, lead, ...). Required.</summary>
    public string Trait { get; init; } = "";

    /// <summary>Example window length in seconds (CLI <c>--seconds</c>). Default 3 (the paper's segment length).</summary>
    public double WindowSeconds { get; init; } = 3.0;

    /// <summary>Distance between window starts within a song, seconds. Default 1.5 (half-overlapping).</summary>
    public double HopSeconds { get; init; } = 1.5;

    /// <summary>At most this many (evenly spaced) windows per song; null = all (CLI <c>--max-segments-per-track</c>).</summary>
    public int? MaxWindowsPerSong { get; init; }

    /// <summary>
    /// Extra matched pairs per training window, each from a random non-empty proper subset S of the song's other stems:
    /// positive S + trait stem, negative S. They teach the trait against many backgrounds. Default 2. Held-out figures
    /// use only the full-mixture pairs.
    /// </summary>
    public int SubsetPairsPerWindow { get; init; } = 2;

    /// <summary>A window is skipped (and counted) when the trait stem or the mixture without it is below this RMS in dBFS. Default −45, as the probe data.</summary>
    public double SilenceThresholdDbfs { get; init; } = -45.0;

    /// <summary>
    /// Fraction of songs held out (split by song, <see cref="Data.TrackSplit"/>; CLI <c>--validation</c>). Default
    /// <see cref="Data.SegmentOptions.DefaultValidationFraction"/> (0.2), as for probing. The committed judges of
    /// models/smitin-synth-small were trained with 0.25 (their model card's command passes it).
    /// </summary>
    public double ValidationFraction { get; init; } = Data.SegmentOptions.DefaultValidationFraction;

    /// <summary>Seed of the song split and of the subset draws (CLI <c>--seed</c>). Null = a random seed
    /// (<see cref="RandomSeed"/>), recorded in the judge file (<see cref="TraitJudgeReport.Seed"/>).</summary>
    public int? Seed { get; init; }

    /// <summary>Inverse L2 strength of the logistic regression on standardised features (scikit-learn's C). Default 1.</summary>
    public double C { get; init; } = 1.0;

    /// <summary>
    /// With a model: also train on codec reconstructions (encode → decode) of every training clip, and report held-out
    /// figures on reconstructions. Default true (CLI <c>--no-codec</c> turns it off).
    /// </summary>
    public bool CalibrateOnCodec { get; init; } = true;

    /// <summary>Clips per codec encode/decode batch. Default 8.</summary>
    public int CodecBatchSize { get; init; } = 8;

    /// <summary>Sample rate without a model (with one, its rate is used and this must be null or equal). Null = the collection's rate.</summary>
    public int? SampleRate { get; init; }

    /// <summary>Feature settings; null = <see cref="JudgeFeatureOptions.ForSampleRate"/> of the judge's rate.</summary>
    public JudgeFeatureOptions? Features { get; init; }

    /// <summary>Control experiment: permute the training labels (seeded). Held-out figures should then sit near chance.</summary>
    public bool ShuffleLabels { get; init; }

    /// <summary>Checks every option; the message names it.</summary>
    /// <exception cref="SmitinException">An option is out of range.</exception>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Trait)) throw new OptionException("trait", "empty; expected a stem name such as drums");
        if (!(WindowSeconds > 0) || double.IsInfinity(WindowSeconds)) throw new OptionException("segment-seconds", $"{OptionRange.Text(WindowSeconds)}: expected a positive number of seconds");
        if (WindowSeconds < 1.0) throw new OptionException("segment-seconds", $"{OptionRange.Text(WindowSeconds)}: expected at least 1 s for the judge (its features need it)");
        if (!(HopSeconds > 0) || double.IsInfinity(HopSeconds)) throw new SmitinException($"judge option HopSeconds = {HopSeconds}: expected a positive number of seconds");
        if (MaxWindowsPerSong is < 1) throw new OptionException("max-segments-per-track", $"{MaxWindowsPerSong}: expected at least 1");
        if (SubsetPairsPerWindow < 0) throw new SmitinException($"judge option SubsetPairsPerWindow = {SubsetPairsPerWindow}: expected ≥ 0");
        if (!(ValidationFraction > 0 && ValidationFraction < 1)) throw new OptionException("validation", $"{OptionRange.Text(ValidationFraction)}: expected a fraction in (0, 1) for the judge (its report needs held-out songs; probing also accepts 0)");
        if (!(C > 0) || double.IsInfinity(C)) throw new SmitinException($"judge option C = {C}: expected a positive finite number");
        if (CodecBatchSize < 1) throw new SmitinException($"judge option CodecBatchSize = {CodecBatchSize}: expected at least 1");
        if (SampleRate is { } r && r is < 4000 or > 192000) throw new SmitinException($"judge option SampleRate = {r}: expected 4000–192000 Hz");
        Features?.Validate();
    }
}
