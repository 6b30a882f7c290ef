namespace Smitin.Steering;

/// <summary>
/// What one trait does to one sample at one step: on the schedule or not, gate open or closed, β, and the resulting
/// scalar coefficient c = [scheduled]·g·β·α·sign that multiplies ω·σ·θ for every head.
/// </summary>
public readonly record struct GateDecision(bool Scheduled, bool GateOpen, float Beta, float Coefficient);
