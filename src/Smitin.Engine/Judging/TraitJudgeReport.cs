using System.Globalization;

namespace Smitin.Judging;

/// <summary>
/// How a judge was trained and how it does on held-out songs. Held-out clips are the full-mixture matched pairs of the
/// validation songs (the mixture, and the same mixture without the trait stem); <see cref="Reconstructions"/> scores the
/// codec reconstructions of exactly those clips.
/// </summary>
public sealed record TraitJudgeReport
{
    /// <summary>Trait the judge detects.</summary>
    public required string Trait { get; init; }
    /// <summary>Seed of the song split and the subset draws.</summary>
    public required int Seed { get; init; }
    /// <summary>Fraction of the songs held out for the held-out scores.</summary>
    public required double ValidationFraction { get; init; }
    /// <summary>Length of every training and held-out window in seconds.</summary>
    public required double WindowSeconds { get; init; }
    /// <summary>Distance between window starts in seconds.</summary>
    public required double HopSeconds { get; init; }
    /// <summary>Random stem subsets drawn per window for the "without" side (besides the full mixture pairs).</summary>
    public required int SubsetPairsPerWindow { get; init; }
    /// <summary>Inverse L2 strength C of the logistic regression.</summary>
    public required double C { get; init; }
    /// <summary>Stem collection folder trained from.</summary>
    public required string Source { get; init; }
    /// <summary>Songs the judge was trained on.</summary>
    public required IReadOnlyList<string> TrainSongs { get; init; }
    /// <summary>Held-out songs (the scores below are on them).</summary>
    public required IReadOnlyList<string> ValidationSongs { get; init; }
    /// <summary>Training clips on original audio (with + without the trait).</summary>
    public required int TrainClips { get; init; }
    /// <summary>Training clips that are codec reconstructions (0 without calibration).</summary>
    public required int TrainReconstructions { get; init; }
    /// <summary>Windows skipped because the trait stem or the rest was near silent.</summary>
    public required int SkippedWindows { get; init; }
    /// <summary>Accuracy on the training clips (originals and reconstructions).</summary>
    public required double TrainAccuracy { get; init; }
    /// <summary>Held-out scores on original audio.</summary>
    public required JudgeScores Originals { get; init; }
    /// <summary>Held-out scores on codec reconstructions; null when not calibrated on a codec.</summary>
    public JudgeScores? Reconstructions { get; init; }
    /// <summary>Identity and folder of the model whose codec made the reconstructions; null without one.</summary>
    public string? Codec { get; init; }
    /// <summary>True for the shuffled-label control.</summary>
    public bool ShuffledLabels { get; init; }
    /// <summary>Wall-clock training time in seconds.</summary>
    public required double ElapsedSeconds { get; init; }
    /// <summary>UTC time the judge was trained, ISO 8601.</summary>
    public required string Created { get; init; }

    /// <summary>Recall on reconstructions / recall on originals (issue 11 asks ≥ 0.9); null without reconstructions.</summary>
    public double? RecallRatio => Reconstructions is { } r && Originals.Recall > 0 ? r.Recall / Originals.Recall : null;

    /// <summary>A few lines for a terminal or a model card.</summary>
    public IEnumerable<string> Lines()
    {
        var c = CultureInfo.InvariantCulture;
        yield return string.Create(c, $"trait '{Trait}'{(ShuffledLabels ? " (SHUFFLED-LABEL CONTROL)" : "")}: {TrainSongs.Count} train / {ValidationSongs.Count} held-out songs, seed {Seed}, {WindowSeconds:0.###} s windows; " +
                                      $"{TrainClips} train clips + {TrainReconstructions} codec reconstructions, {SkippedWindows} windows skipped; train accuracy {TrainAccuracy:P1}");
        yield return "held-out originals:       " + Originals;
        if (Reconstructions is { } r)
            yield return "held-out reconstructions: " + r + string.Create(c, $"; recall ratio {RecallRatio:F2}");
        else
            yield return "held-out reconstructions: none (no codec calibration)";
    }
}
