namespace Smitin.Evaluation;

/// <summary>
/// One condition of the comparison and its figures (results.json <c>rows[]</c>, snake_case).
/// </summary>
public sealed record EvaluationRow
{
    /// <summary><c>none</c>, <c>text</c>, <c>iti</c>, <c>smitin</c>, <c>smitin+text</c>, <c>real-without</c>, <c>real-with</c>.</summary>
    public required string Method { get; init; }
    /// <summary><c>add</c> (prompts without the trait; success = the judge hears it) or <c>remove</c> (prompts with it; success = the judge does not).</summary>
    public required string Task { get; init; }
    /// <summary><c>probe</c> or <c>mass-mean</c> for steering rows, null otherwise.</summary>
    public string? Direction { get; init; }
    /// <summary>Steering strength α (null for unsteered rows).</summary>
    public double? Alpha { get; init; }
    /// <summary>SMITIN's s (null for other rows; ITI shifts every step).</summary>
    public int? Every { get; init; }
    /// <summary>Text prompt of the row ("" = the empty text); null for the real rows and for generated rows without any
    /// text condition (<see cref="EvaluationOptions.BaseTextTemplate"/>).</summary>
    public string? Text { get; init; }
    /// <summary>Prompts (continuations) in the row.</summary>
    public required int N { get; init; }
    /// <summary>Continuations the judge scored as a success (see <see cref="Task"/>).</summary>
    public required int Successes { get; init; }
    /// <summary>Successes / n.</summary>
    public required double Success { get; init; }
    /// <summary>Wilson 95 % interval of <see cref="Success"/>.</summary>
    public required double[] SuccessCi95 { get; init; }
    /// <summary>Mean judge probability p(trait) over the continuations.</summary>
    public required double JudgeProbability { get; init; }
    /// <summary>Fréchet distance to the reference continuations (<see cref="FadReference"/>) on codec-encoder latents.</summary>
    public required double Fad { get; init; }
    /// <summary><c>real-with</c> for adding rows, <c>real-without</c> for removal rows.</summary>
    public required string FadReference { get; init; }
    /// <summary>Mean cosine similarity between the prompt's and the continuation's time-averaged codec-encoder latents.</summary>
    public required double PromptSimilarity { get; init; }
    /// <summary>Fraction of generated decoder steps at which a non-zero shift was applied (monitor trace); 0 for unsteered rows, null for real rows.</summary>
    public double? ShiftedFraction { get; init; }
    /// <summary>Mean over continuations of the monitor confidence C(t) over generated steps (the probes' own verdict); null for real rows.</summary>
    public double? MonitorConfidence { get; init; }
    /// <summary>Sampling seed of each batch (batch b: prompts [b·batch, (b+1)·batch)); empty for real rows.</summary>
    public required long[] Seeds { get; init; }
    /// <summary>Wall-clock seconds spent on the row.</summary>
    public double Seconds { get; init; }

    /// <summary>Short label, e.g. <c>SMITIN α 5 (mass-mean)</c>.</summary>
    public string Label => EvaluationRowSpec.LabelOf(Method, Task, Direction, Alpha);
}
