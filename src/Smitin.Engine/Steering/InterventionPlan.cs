using Smitin.Probing;

namespace Smitin.Steering;

/// <summary>
/// What to do to a generation: one <see cref="TraitIntervention"/> per trait (each with its own monitor and gate;
/// their shifts add up), or, with <see cref="MonitorOnly"/>, only watch the traits (an unsteered generation with a
/// monitor trace). Apply it with <c>using (lm.Steer(plan)) { ... }</c> or <see cref="Generation.GenerationOptions.Steering"/>.
/// </summary>
public sealed class InterventionPlan
{
    /// <summary>One resolved intervention per trait; their shifts add up.</summary>
    public IReadOnlyList<TraitIntervention> Traits { get; }
    /// <summary>Record the monitor trace but never shift.</summary>
    public bool MonitorOnly { get; }
    /// <summary>Decoder layers L (every trait has the same).</summary>
    public int Layers => Traits[0].Layers;
    /// <summary>Heads H per layer.</summary>
    public int Heads => Traits[0].Heads;
    /// <summary>Head size D.</summary>
    public int HeadDim => Traits[0].HeadDim;

    InterventionPlan(IReadOnlyList<TraitIntervention> traits, bool monitorOnly)
    {
        if (traits.Count == 0) throw new SmitinException("steering plan: no probe set given");
        var first = traits[0];
        foreach (var t in traits.Skip(1))
            if (t.Layers != first.Layers || t.Heads != first.Heads || t.HeadDim != first.HeadDim || t.Model.Identity != first.Model.Identity)
                throw new SmitinException($"steering plan: probe sets '{first.Trait}' ({first.Model}) and '{t.Trait}' ({t.Model}) were trained on different models");
        Traits = traits;
        MonitorOnly = monitorOnly;
    }

    /// <summary>One trait with its own options.</summary>
    /// <exception cref="OptionException">an option is out of range (the message names it)</exception>
    /// <exception cref="SmitinException">no probe set; probe sets of different models; a required direction the set was not
    /// built with</exception>
    public static InterventionPlan Build(ProbeSet probes, SteeringOptions? options = null) => Build([(probes, options)]);

    /// <summary>Several traits, all with the same options.</summary>
    /// <exception cref="OptionException">an option is out of range (the message names it)</exception>
    /// <exception cref="SmitinException">no probe set; probe sets of different models; a required direction the set was not
    /// built with</exception>
    public static InterventionPlan Build(IEnumerable<ProbeSet> probes, SteeringOptions? options = null) =>
        Build(probes.Select(p => (p, options)));

    /// <summary>Several traits, each with its own options (e.g. add drums, remove bass).</summary>
    /// <exception cref="OptionException">an option is out of range (the message names it)</exception>
    /// <exception cref="SmitinException">no probe set; probe sets of different models; a required direction the set was not
    /// built with</exception>
    public static InterventionPlan Build(IEnumerable<(ProbeSet Probes, SteeringOptions? Options)> traits) =>
        new(traits.Select(t => TraitIntervention.Resolve(t.Probes, t.Options)).ToList(), monitorOnly: false);

    /// <summary>Watch <paramref name="probes"/> without shifting (the "unsteered" trace);
    /// <paramref name="monitorHeadCount"/> null = each probe set's monitor heads.</summary>
    public static InterventionPlan Monitor(IEnumerable<ProbeSet> probes, int? monitorHeadCount = null) =>
        new(probes.Select(p => TraitIntervention.Resolve(p, new SteeringOptions { MonitorHeadCount = monitorHeadCount, Alpha = 0 })).ToList(), monitorOnly: true);

    /// <summary>Throws unless the plan fits a decoder with <paramref name="layers"/> × <paramref name="heads"/> heads of <paramref name="headDim"/>.</summary>
    public void EnsureShape(int layers, int heads, int headDim)
    {
        if (layers == Layers && heads == Heads && headDim == HeadDim) return;
        throw new SmitinException($"steering plan (traits {string.Join(", ", Traits.Select(t => t.Trait))}) was made for {Layers} layers x {Heads} heads x {HeadDim}, " +
            $"but the decoder has {layers} x {heads} x {headDim}: probes only apply to the model they were trained on");
    }

    /// <summary>Throws unless every trait's probes were trained on <paramref name="model"/>.</summary>
    public void EnsureModel(ProbeModelIdentity model)
    {
        foreach (var t in Traits)
            if (t.Model.Identity != model.Identity || t.Model.ConfigHash != model.ConfigHash)
                throw new SmitinException($"probe set '{t.Trait}' was trained for model {t.Model}, but the model in use is {model}: " +
                    "probes only apply to the model they were trained on; train probes for this model with 'smitin probe'");
        EnsureShape(model.Layers, model.Heads, model.HeadDim);
    }

    /// <summary>Every trait's resolved plan, as recorded in results and trace files.</summary>
    public IReadOnlyList<TraitPlanSummary> Describe() => Traits.Select(t => t.Describe()).ToList();
}
