using Smitin.Probing;
using Smitin.Steering;

namespace Smitin.Interactive.Magics;

/// <summary>The steering part of <c>generate</c> / <c>compare</c>: which probe set and the engine's <see cref="SteeringOptions"/>
/// (p, M and τ: the probe set's unless given).</summary>
internal sealed record SteeringRequest(ProbeSet Probes, SteeringOptions Options)
{
    internal static SteeringRequest Parse(SmitinSession session, string? trait, double? alpha, int? topKHeads, int? every,
        double? tau, int? monitorHeadCount, double? softWeightExponent, bool remove)
    {
        var defaults = new SteeringOptions();
        var options = defaults with
        {
            Action = remove ? SteeringAction.Remove : SteeringAction.Add,
            Alpha = alpha ?? defaults.Alpha,
            TopKHeads = topKHeads ?? defaults.TopKHeads,
            Every = every ?? defaults.Every,
            Tau = tau,
            MonitorHeadCount = monitorHeadCount,
            SoftWeightExponent = softWeightExponent,
        };
        options.Validate();                                                       // OptionException: shown with the help
        return new SteeringRequest(session.RequireProbes(trait), options);
    }

    internal InterventionPlan Plan(SteeringMode mode) => InterventionPlan.Build(Probes, Options with { Mode = mode });

    /// <summary>Watches the trait without shifting (the "no control" trace).</summary>
    internal InterventionPlan MonitorOnly() => InterventionPlan.Monitor([Probes], Options.MonitorHeadCount);
}
