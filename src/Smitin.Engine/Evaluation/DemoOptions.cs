namespace Smitin.Evaluation;

/// <summary>
/// Settings of <c>smitin demo</c> (<see cref="SteeringDemo"/>): sizes chosen so the whole run (synthesis, probing,
/// evaluation, report) finishes in about 15 minutes on a 2-core CPU with the default model (docs/evaluation.md has
/// the measured timing).
/// </summary>
public sealed record DemoOptions
{
    /// <summary>Folder for songs, probes, results and the report (<c>report.html</c>).</summary>
    public string OutputFolder { get; init; } = "out/demo";
    /// <summary>Songs synthesised for probing (and, without a judge next to the model, for training the judge).</summary>
    public int ProbeSongs { get; init; } = 40;
    /// <summary>Length of each probing song.</summary>
    public double ProbeSongSeconds { get; init; } = 12;
    /// <summary>Seed of the probing songs (different from the evaluation songs' and from the default model's training songs).</summary>
    public int ProbeSongSeed { get; init; } = 21;
    /// <summary>Songs synthesised for the evaluation prompts (about half have the trait).</summary>
    public int EvalSongs { get; init; } = 60;
    /// <summary>Length of each evaluation song (one P + C window per 5 s).</summary>
    public double EvalSongSeconds { get; init; } = 10;
    /// <summary>Seed of the evaluation songs.</summary>
    public int EvalSongSeed { get; init; } = 31;
    /// <summary>Probe segment length (paper: 3 s).</summary>
    public double ProbeSegmentSeconds { get; init; } = 3;
    /// <summary>Intervention intervals s drawn in the monitor chart (paper Fig. 4).</summary>
    public IReadOnlyList<int> TraceEvery { get; init; } = [1, 5, 10];
    /// <summary>The judge file; null = <c>judge-&lt;trait&gt;.json</c> next to the model, else one is trained on the probing songs.</summary>
    public string? JudgePath { get; init; }
    /// <summary>The evaluation itself (trait, n, seeds, rows): <see cref="EvaluationOptions"/>' defaults (n 40 per row, 3 examples).</summary>
    public EvaluationOptions Evaluation { get; init; } = new();
    /// <summary>fluidsynth processes in parallel.</summary>
    public int Jobs { get; init; } = Math.Max(1, Environment.ProcessorCount);

    /// <exception cref="SmitinException">a value is out of range (the message names it)</exception>
    public void Validate()
    {
        Evaluation.Validate();
        if (string.IsNullOrWhiteSpace(OutputFolder)) throw new SmitinException("demo option out: empty; expected a folder");
        if (ProbeSongs < 4) throw new SmitinException($"demo option probe-songs = {ProbeSongs}: expected at least 4 (probes need training and validation songs with and without the trait)");
        if (EvalSongs < 2) throw new SmitinException($"demo option eval-songs = {EvalSongs}: expected at least 2");
        if (!(ProbeSongSeconds >= ProbeSegmentSeconds)) throw new SmitinException($"demo option probe-song-seconds = {ProbeSongSeconds}: expected at least the segment length {ProbeSegmentSeconds} s");
        double window = Evaluation.PromptSeconds + Evaluation.ContinuationSeconds;
        if (!(EvalSongSeconds >= window)) throw new SmitinException($"demo option eval-song-seconds = {EvalSongSeconds}: expected at least prompt + continuation = {window} s");
        if (ProbeSongSeed == EvalSongSeed) throw new SmitinException($"demo options: probing and evaluation songs need different seeds (both {ProbeSongSeed})");
        if (TraceEvery.Any(s => s < 1)) throw new SmitinException($"demo option trace-every: values must be >= 1, got {string.Join(", ", TraceEvery)}");
        if (Jobs < 1) throw new SmitinException($"demo option jobs = {Jobs}: expected at least 1");
    }
}
