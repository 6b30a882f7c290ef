using Smitin.Data;
using Smitin.Models;

namespace Smitin.Probing;

/// <summary>Options of the whole probing pipeline (capture → fit → probe set).</summary>
public sealed record ProbeTrainerOptions
{
    /// <summary>How activations are captured (batch size, caching).</summary>
    public CaptureOptions Capture { get; init; } = new();
    /// <summary>How the probes are fitted (C, iterations, solver).</summary>
    public ProbeTrainingOptions Training { get; init; } = new();
    /// <summary>How the probe set is derived (direction, p, M, τ).</summary>
    public ProbeSetOptions ProbeSet { get; init; } = new();
}

/// <summary>
/// SMITIN's first stage end to end (docs/method.md §3 "Probing"): capture z at the last position of every training
/// and validation segment, fit one probe per (layer, head) on the training split, score it on the validation split,
/// and derive the probe set (θ, σ, ω, monitor heads, τ).
/// </summary>
public static class ProbeTrainer
{
    /// <summary>
    /// The segment options a probe set can be trained with: <see cref="SegmentOptions.Validate"/> and a validation
    /// fraction above 0 (probe accuracy, hence ω, the monitor heads and τ, needs held-out tracks).
    /// </summary>
    /// <exception cref="OptionException">a value is out of range (<c>validation</c>, <c>segment-seconds</c>, ...)</exception>
    public static void ValidateSegments(SegmentOptions options)
    {
        options.Validate();
        if (!(options.ValidationFraction > 0))
            throw new OptionException("validation", $"expected a fraction in (0, 1) (probe accuracy needs held-out tracks), got {options.ValidationFraction}");
    }

    /// <summary>
    /// What can be checked of a probing run before any audio is read or captured: the segment length against the
    /// decoder's positions, and the dataset's segment count (at most <see cref="ProbeDataset.MaxSegmentCount"/>) against
    /// <see cref="CaptureOptions.MaxSegments"/>, whose message gives the memory the activations take.
    /// </summary>
    /// <exception cref="OptionException"><c>segment-seconds</c> longer than the decoder holds; <c>max-segments</c> exceeded</exception>
    public static void CheckCapture(MusicGenConfig config, ProbeDataset dataset, CaptureOptions capture)
    {
        var d = config.Decoder;
        var a = config.AudioEncoder;
        double frameRate = (double)a.SamplingRate / a.HopLength;
        int kc = Models.Decoder.DelayPattern.CodebooksPerChannel(d.NumCodebooks, d.AudioChannels);
        long conditioning = config.Melody is { } m ? m.ChromaLength + 1 : 0;                  // ActivationCapture's unconditional prefix
        long samples = (long)Math.Round(dataset.Options.SegmentSeconds * a.SamplingRate);    // as SegmentWindows.Frames cuts it
        long frames = (samples + a.HopLength - 1) / a.HopLength;                              // EnCodec frames, the last one partial
        if (conditioning + frames + kc > d.MaxPositionEmbeddings)
        {
            double most = (d.MaxPositionEmbeddings - conditioning - kc) / frameRate;
            throw new OptionException("segment-seconds", string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{dataset.Options.SegmentSeconds} s is {frames} frames at {frameRate:0.##} Hz and needs {conditioning + frames + kc} decoder positions, the model has {d.MaxPositionEmbeddings} (decoder.max_position_embeddings): at most {Math.Floor(most * 100) / 100:0.##} s"));
        }
        capture.CheckSegmentCount(dataset.MaxSegmentCount, d.NumHiddenLayers, d.NumAttentionHeads, d.HeadDim, $"{dataset.Report.Source}: up to");
    }

    /// <summary>Probes a trait from a <see cref="ProbeDataset"/> (stems, labelled folders, manifest, synthetic).</summary>
    /// <exception cref="OptionException">an option is out of range (the message names it), or the dataset has more
    /// segments than <see cref="CaptureOptions.MaxSegments"/> (refused before any capture, see <see cref="CheckCapture"/>)</exception>
    /// <exception cref="SmitinException">a split lacks a class or has no validation segment; audio that cannot be read</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled</exception>
    public static ProbeSet Train(MusicGen model, ProbeDataset dataset, ProbeTrainerOptions? options = null,
        IProgress<ProbeProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ValidateSegments(dataset.Options);
        (options ?? new ProbeTrainerOptions()).Capture.Validate();
        CheckCapture(model.Config, dataset, (options ?? new ProbeTrainerOptions()).Capture);
        var o = dataset.Options;
        var provenance = new ProbeProvenance
        {
            Source = dataset.Report.Source, SegmentSeconds = o.SegmentSeconds, SplitSeed = dataset.Report.SplitSeed, ValidationFraction = o.ValidationFraction,
        };
        return Train(model, dataset.Trait, dataset.Train, dataset.Validation, provenance, options, progress, cancellationToken);
    }

    /// <summary>Probes a trait from segments already split by track (the caller keeps tracks on one side).</summary>
    /// <exception cref="OptionException">an option is out of range (the message names it)</exception>
    /// <exception cref="SmitinException">a split lacks a class or has no validation segment; audio that cannot be read</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled</exception>
    public static ProbeSet Train(MusicGen model, string trait, IEnumerable<Segment> train, IEnumerable<Segment> validation,
        ProbeProvenance provenance, ProbeTrainerOptions? options = null, IProgress<ProbeProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        options ??= new ProbeTrainerOptions();
        // Option mistakes surface before the (long) capture, not after it.
        options.Training.Validate();
        options.ProbeSet.Validate();
        options.Capture.Validate();
        var capture = new ActivationCapture(model, options.Capture);
        var zTrain = capture.Capture(train, progress, cancellationToken, stage: "capture train");
        var zVal = capture.Capture(validation, progress, cancellationToken, stage: "capture validation", heldBefore: zTrain.Count);
        return Train(trait, ProbeModelIdentity.Of(model), zTrain, zVal, provenance, options, progress, cancellationToken);
    }

    /// <summary>Probes a trait from captured activations.</summary>
    /// <exception cref="OptionException">an option is out of range (the message names it)</exception>
    /// <exception cref="SmitinException">a split lacks a class or has no validation segment; audio that cannot be read</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled</exception>
    public static ProbeSet Train(string trait, ProbeModelIdentity model, ActivationSet train, ActivationSet validation,
        ProbeProvenance provenance, ProbeTrainerOptions? options = null, IProgress<ProbeProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        options ??= new ProbeTrainerOptions();
        if (validation.Count == 0)
            throw new SmitinException($"trait '{trait}': no validation segments ({provenance.Source}); probe accuracy needs held-out tracks: use at least 2 tracks and a validation fraction > 0");
        if (train.PositiveCount == 0 || train.NegativeCount == 0)
            throw new SmitinException($"trait '{trait}': the training split has {train.PositiveCount} segments with the trait and {train.NegativeCount} without ({provenance.Source}); both are needed");
        var fits = ProbeFitter.Fit(train, validation, options.Training, progress, cancellationToken);
        provenance = provenance with
        {
            TrainPositive = train.PositiveCount,
            TrainNegative = train.NegativeCount,
            ValidationPositive = validation.PositiveCount,
            ValidationNegative = validation.NegativeCount,
        };
        return ProbeSet.Build(trait, model, provenance, fits, ActivationSet.Concat(train, validation), options.Training, options.ProbeSet);
    }

    /// <summary>
    /// Probes a trait once and builds one probe set per direction (e.g. probe weight and mass-mean): the probes, their
    /// accuracies, ω, the monitor heads and τ are shared; θ and its σ differ. For comparing directions (<c>smitin eval</c>)
    /// without capturing and fitting twice.
    /// </summary>
    /// <returns>One set per entry of <paramref name="directions"/>, in that order.</returns>
    public static IReadOnlyList<ProbeSet> TrainDirections(MusicGen model, ProbeDataset dataset, IReadOnlyList<ProbeDirection> directions,
        ProbeTrainerOptions? options = null, IProgress<ProbeProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        options ??= new ProbeTrainerOptions();
        if (directions.Count == 0) throw new SmitinException("probe training: give at least one direction");
        options.Training.Validate();
        options.ProbeSet.Validate();
        options.Capture.Validate();
        CheckCapture(model.Config, dataset, options.Capture);
        var o = dataset.Options;
        var provenance = new ProbeProvenance
        {
            Source = dataset.Report.Source, SegmentSeconds = o.SegmentSeconds, SplitSeed = dataset.Report.SplitSeed, ValidationFraction = o.ValidationFraction,
        };
        var capture = new ActivationCapture(model, options.Capture);
        var train = capture.Capture(dataset.Train, progress, cancellationToken, stage: "capture train");
        var validation = capture.Capture(dataset.Validation, progress, cancellationToken, stage: "capture validation", heldBefore: train.Count);
        var first = Train(dataset.Trait, ProbeModelIdentity.Of(model), train, validation, provenance,
            options with { ProbeSet = options.ProbeSet with { Direction = directions[0] } }, progress, cancellationToken);
        var sets = new List<ProbeSet> { first };
        var all = ActivationSet.Concat(train, validation);
        var fits = new ProbeFits(first.Layers, first.Heads, first.HeadDim, first.Weights, first.Bias, first.TrainAccuracy, first.Accuracy, options.Training.Solver);
        foreach (var d in directions.Skip(1))
            sets.Add(ProbeSet.Build(dataset.Trait, first.Model, first.Provenance, fits, all, options.Training, options.ProbeSet with { Direction = d }));
        return sets;
    }
}
