namespace Smitin.Evaluation;

/// <summary>Progress of an evaluation: <paramref name="Stage"/> (<c>prompts</c>, <c>real</c>, a row label, <c>judge</c>),
/// <paramref name="Done"/> of <paramref name="Total"/> items of that stage, and the time since the start.</summary>
public readonly record struct EvaluationProgress(string Stage, int Done, int Total, TimeSpan Elapsed);
