namespace Smitin.Judging;

/// <summary>Progress of judge training: <paramref name="Stage"/> is <c>load</c> (songs), <c>codec</c> (clips encoded and
/// decoded), <c>features</c> (clips) or <c>fit</c>; <paramref name="Done"/> of <paramref name="Total"/> items.</summary>
public readonly record struct JudgeProgress(string Stage, int Done, int Total);
