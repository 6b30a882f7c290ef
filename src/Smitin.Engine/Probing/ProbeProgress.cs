namespace Smitin.Probing;

/// <summary>Progress of a probing stage (<c>capture train</c>, <c>capture validation</c>, <c>train</c>): <paramref name="Done"/> of <paramref name="Total"/> items.</summary>
public readonly record struct ProbeProgress(string Stage, int Done, int Total);
