using Smitin.Probing;
using Smitin.Steering;

namespace Smitin.Interactive.Magics;

/// <summary>The steering part of <c>generate</c> / <c>compare</c>: which probe set and the engine's <see cref="SteeringOptions"/>.</summary>
internal sealed record SteeringRequest(ProbeSet Probes, SteeringOptions Options)
{
    internal static SteeringRequest Parse(SmitinSession session, string? trait, double? alpha, int? topHeads, int? every, double? tau, int? monitor, bool remove)
    {
        if (alpha is { } a && !(a >= 0 && a <= 1000)) throw new MagicUsageException($"--alpha must be between 0 and 1000, got {a}");
        if (topHeads is < 1) throw new MagicUsageException($"--top-heads must be >= 1, got {topHeads}");
        if (every is < 1) throw new MagicUsageException($"--every must be >= 1, got {every}");
        if (tau is { } t && !(t >= 0 && t <= 1)) throw new MagicUsageException($"--tau must be between 0 and 1, got {t}");
        if (monitor is < 1) throw new MagicUsageException($"--monitor must be >= 1, got {monitor}");
        var probes = session.RequireProbes(trait);
        var defaults = new SteeringOptions();
        var options = defaults with
        {
            Action = remove ? SteeringAction.Remove : SteeringAction.Add,
            Alpha = alpha ?? defaults.Alpha,
            TopKHeads = topHeads ?? defaults.TopKHeads,
            Every = every ?? defaults.Every,
            Tau = tau,
            MonitorHeads = monitor ?? probes.MonitorHeads.Length,
        };
        return new SteeringRequest(probes, options);
    }

    internal InterventionPlan Plan(SteeringMode mode) => InterventionPlan.Build(Probes, Options with { Mode = mode });

    /// <summary>Watches the trait without shifting (the "no control" trace).</summary>
    internal InterventionPlan MonitorOnly() => InterventionPlan.Monitor([Probes], Options.MonitorHeads);
}
