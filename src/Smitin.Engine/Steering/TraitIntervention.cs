using Smitin.Probing;

namespace Smitin.Steering;

/// <summary>
/// One trait's intervention, resolved from its probe set and options (docs/method.md §4.2): the head weights ω (L, H),
/// the shift direction per head σ·θ (L, H, D) with its sign, the M monitor probes and the gate threshold. Immutable;
/// host arrays only (the session copies what it needs to the model's device).
///
/// The shift of head (l, h) at a shifted step is z ← z + g·β·α·ω_{l,h}·σ_{l,h}·(sign·θ_{l,h}).
/// </summary>
public sealed class TraitIntervention
{
    /// <summary>Trait name of the probe set.</summary>
    public string Trait { get; }
    /// <summary>The options as resolved (mode-specific values filled in: ITI has Every = 1).</summary>
    public SteeringOptions Options { get; }
    /// <summary>The model the probes belong to.</summary>
    public ProbeModelIdentity Model { get; }
    /// <summary>How θ was derived (probe weight or mass-mean).</summary>
    public ProbeDirection Direction { get; }
    /// <summary>Decoder layers L.</summary>
    public int Layers { get; }
    /// <summary>Heads H per layer.</summary>
    public int Heads { get; }
    /// <summary>Head size D.</summary>
    public int HeadDim { get; }
    /// <summary>+1 to add the trait, −1 to remove it.</summary>
    public int Sign => Options.Action == SteeringAction.Remove ? -1 : 1;
    /// <summary>τ of the trait (the add threshold), after the override.</summary>
    public double Tau { get; }
    /// <summary>Where τ came from: <c>given</c> (option), <c>probe-set</c> (τ stored in the set, given at probing), or
    /// <c>median(acc) - std(acc)</c>.</summary>
    public string TauSource { get; }
    /// <summary>The gate's threshold: τ when adding (open while C &lt; τ), τ_remove when removing (open while C &gt; τ_remove).</summary>
    public double GateThreshold { get; }
    /// <summary>Where the gate threshold came from: <c>tau</c>, <c>1 - tau</c> (removing, default) or <c>given</c> (τ_remove option).</summary>
    public string GateSource { get; }
    /// <summary>(L, H) head weights ω: soft weights (SMITIN) or 1 on the top-K heads (ITI).</summary>
    public float[] HeadWeights { get; }
    /// <summary>(L, H, D) σ_{l,h}·θ_{l,h} (unsigned; the sign is <see cref="Sign"/>).</summary>
    public float[] ScaledDirections { get; }
    /// <summary>(M) flat head indices l*H + h of the monitor heads, most accurate first.</summary>
    public int[] MonitorHeadIndices { get; }
    /// <summary>Where M came from: <c>probe-set</c> (the count chosen when probing) or <c>given</c> (option).</summary>
    public string MonitorHeadCountSource { get; private init; } = "probe-set";
    /// <summary>Where p came from: <c>probe-set</c> or <c>given</c> (option).</summary>
    public string SoftWeightExponentSource { get; private init; } = "probe-set";
    /// <summary>(M, D) probe weights of the monitor heads.</summary>
    public float[] MonitorWeights { get; }
    /// <summary>(M) probe intercepts of the monitor heads.</summary>
    public float[] MonitorBias { get; }
    /// <summary>(L, H) validation accuracies (for summaries).</summary>
    public float[] Accuracy { get; }

    TraitIntervention(ProbeSet probes, SteeringOptions options, double tau, string tauSource, double gateThreshold,
        string gateSource, float[] headWeights, float[] scaledDirections, int[] monitorHeadIndices)
    {
        Trait = probes.Trait; Options = options; Model = probes.Model; Direction = probes.Direction;
        Layers = probes.Layers; Heads = probes.Heads; HeadDim = probes.HeadDim;
        Tau = tau; TauSource = tauSource; GateThreshold = gateThreshold; GateSource = gateSource;
        HeadWeights = headWeights; ScaledDirections = scaledDirections; MonitorHeadIndices = monitorHeadIndices;
        Accuracy = (float[])probes.Accuracy.Clone();
        int d = HeadDim;
        MonitorWeights = monitorHeadIndices.SelectMany(i => probes.Weights.AsSpan(i * d, d).ToArray()).ToArray();
        MonitorBias = monitorHeadIndices.Select(i => probes.Bias[i]).ToArray();
    }

    /// <summary>Resolves <paramref name="options"/> against <paramref name="probes"/>: p, M and τ are the probe set's
    /// unless given (docs/method.md §4.1); ω is recomputed with p (SMITIN) or set to 1 on the top-K heads (ITI).</summary>
    /// <param name="probes">one trait's probe set</param>
    /// <param name="options">the knobs; null = the paper's defaults</param>
    /// <exception cref="OptionException">an option is out of range (the message names it)</exception>
    /// <exception cref="SmitinException">a direction was required that the probe set was not built with</exception>
    public static TraitIntervention Resolve(ProbeSet probes, SteeringOptions? options = null)
    {
        options ??= new SteeringOptions();
        options.Validate();
        if (options.Direction is { } wanted && wanted != probes.Direction)
            throw new SmitinException($"probe set '{probes.Trait}' was built with direction '{ProbeSetOptions.Name(probes.Direction)}' " +
                $"but '{ProbeSetOptions.Name(wanted)}' was asked for: σ belongs to the stored direction, so rebuild the probe set with that direction");
        int n = probes.Layers * probes.Heads, d = probes.HeadDim;

        // p and M: the probe set's unless given (the probe-time choice is the default, one owner: ProbeSetOptions).
        int monitorCount = Math.Min(options.MonitorHeadCount ?? probes.MonitorHeadIndices.Length, n);
        double exponent = options.SoftWeightExponent ?? probes.SoftWeightExponent;
        var resolved = options.Mode == SteeringMode.Iti
            ? options with { Every = 1, TopKHeads = Math.Min(options.TopKHeads, n), MonitorHeadCount = monitorCount, SoftWeightExponent = exponent }
            : options with { MonitorHeadCount = monitorCount, SoftWeightExponent = exponent };
        var weights = options.Mode == SteeringMode.Iti
            ? TopKWeights(probes.Accuracy, resolved.TopKHeads)
            : ProbeStatistics.SoftWeights(probes.Accuracy, exponent);

        var scaled = new float[n * d];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < d; j++) scaled[i * d + j] = probes.Sigma[i] * probes.Theta[i * d + j];

        double tau = options.Tau ?? probes.Tau;
        string tauSource = options.Tau is not null ? "given" : probes.TauIsDefault ? "median(acc) - std(acc)" : "probe-set";
        bool remove = options.Action == SteeringAction.Remove;
        double gate = remove ? options.TauRemove ?? 1 - tau : tau;
        string gateSource = !remove ? "tau" : options.TauRemove is null ? "1 - tau" : "given";
        resolved = resolved with { Tau = tau, TauRemove = remove ? gate : options.TauRemove };
        var monitor = ProbeStatistics.TopHeads(probes.Accuracy, monitorCount);
        return new TraitIntervention(probes, resolved, tau, tauSource, gate, gateSource, weights, scaled, monitor)
        {
            MonitorHeadCountSource = options.MonitorHeadCount is null ? "probe-set" : "given",
            SoftWeightExponentSource = options.SoftWeightExponent is null ? "probe-set" : "given",
        };
    }

    /// <summary>ω = 1 on the <paramref name="k"/> most accurate heads (ties to the lower index), 0 elsewhere.</summary>
    static float[] TopKWeights(float[] accuracy, int k)
    {
        var w = new float[accuracy.Length];
        foreach (int i in ProbeStatistics.TopHeads(accuracy, k)) w[i] = 1;
        return w;
    }

    /// <summary>The resolved plan of this trait in a serializable form.</summary>
    public TraitPlanSummary Describe() => TraitPlanSummary.Of(this);
}
