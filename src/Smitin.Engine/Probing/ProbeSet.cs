namespace Smitin.Probing;

/// <summary>One head's place and accuracy, for summaries.</summary>
public readonly record struct HeadRef(int Layer, int Head, float Accuracy)
{
    public override string ToString() => $"L{Layer}H{Head} {Accuracy:P1}";
}

/// <summary>
/// Everything SMITIN needs from probing one trait on one model (docs/method.md §3-§4.1): per head (l, h) the probe
/// (w, b), validation accuracy a, unit direction θ, σ = std of θᵀz over the probing set, soft weight ω, plus the
/// monitor heads and the gate threshold τ, with the model identity and the data provenance. Arrays are row-major:
/// (L, H) arrays at l*H + h, (L, H, D) arrays at (l*H + h)*D. Saved as one safetensors file (<see cref="Save"/>).
/// </summary>
public sealed class ProbeSet
{
    public string Trait { get; }
    public ProbeModelIdentity Model { get; }
    public ProbeProvenance Provenance { get; }
    public ProbeTrainingOptions Training { get; }
    public ProbeDirection Direction { get; }
    public double SoftWeightExponent { get; }
    /// <summary>Gate threshold τ (see <see cref="TauIsDefault"/>).</summary>
    public double Tau { get; }
    /// <summary>True when τ = median(a) − std(a); false when it was given explicitly.</summary>
    public bool TauIsDefault { get; }
    public int Layers => Model.Layers;
    public int Heads => Model.Heads;
    public int HeadDim => Model.HeadDim;

    /// <summary>(L, H, D) probe weights w.</summary>
    public float[] Weights { get; }
    /// <summary>(L, H) probe intercepts b.</summary>
    public float[] Bias { get; }
    /// <summary>(L, H) validation accuracy a.</summary>
    public float[] Accuracy { get; }
    /// <summary>(L, H) training accuracy.</summary>
    public float[] TrainAccuracy { get; }
    /// <summary>(L, H, D) unit intervention directions θ.</summary>
    public float[] Theta { get; }
    /// <summary>(L, H) σ = std over the probing set of θᵀz.</summary>
    public float[] Sigma { get; }
    /// <summary>(L, H) soft weights ω with exponent <see cref="SoftWeightExponent"/>.</summary>
    public float[] Omega { get; }
    /// <summary>(M) flat head indices l*H + h of the monitor heads, most accurate first.</summary>
    public int[] MonitorHeads { get; }
    /// <summary>(L, H, D) mean activation of segments with / without the trait; null when not stored.</summary>
    public float[]? MeanPositive { get; }
    public float[]? MeanNegative { get; }

    internal ProbeSet(string trait, ProbeModelIdentity model, ProbeProvenance provenance, ProbeTrainingOptions training,
        ProbeDirection direction, double softWeightExponent, double tau, bool tauIsDefault, float[] weights, float[] bias,
        float[] accuracy, float[] trainAccuracy, float[] theta, float[] sigma, float[] omega, int[] monitorHeads,
        float[]? meanPositive, float[]? meanNegative)
    {
        Trait = trait; Model = model; Provenance = provenance; Training = training; Direction = direction;
        SoftWeightExponent = softWeightExponent; Tau = tau; TauIsDefault = tauIsDefault; Weights = weights; Bias = bias;
        Accuracy = accuracy; TrainAccuracy = trainAccuracy; Theta = theta; Sigma = sigma; Omega = omega;
        MonitorHeads = monitorHeads; MeanPositive = meanPositive; MeanNegative = meanNegative;
    }

    /// <summary>
    /// Builds the probe set from fitted probes. <paramref name="all"/> is the whole probing set (train + validation):
    /// the mass-mean direction, σ and the class means are taken over it, as ITI does.
    /// </summary>
    public static ProbeSet Build(string trait, ProbeModelIdentity model, ProbeProvenance provenance, ProbeFits fits,
        ActivationSet all, ProbeTrainingOptions training, ProbeSetOptions? options = null)
    {
        options ??= new ProbeSetOptions();
        options.Validate();
        if (string.IsNullOrWhiteSpace(trait)) throw new SmitinException("probe set: the trait name is empty");
        if (fits.Layers != model.Layers || fits.Heads != model.Heads || fits.HeadDim != model.HeadDim ||
            all.Layers != model.Layers || all.Heads != model.Heads || all.HeadDim != model.HeadDim)
            throw new SmitinException($"probe set: fits ({fits.Layers}, {fits.Heads}, {fits.HeadDim}) and activations ({all.Layers}, {all.Heads}, {all.HeadDim}) must match the model's {model.Layers} layers x {model.Heads} heads x {model.HeadDim}");

        if (fits.ValidationAccuracy.Any(a => !float.IsFinite(a)))
            throw new SmitinException($"probe set '{trait}': validation accuracy is undefined (no validation segments?); probes need a held-out split");
        var (mp, mn) = ProbeStatistics.ClassMeans(all);
        float[] raw = options.Direction == ProbeDirection.MassMean ? mp.Select((v, j) => v - mn[j]).ToArray() : fits.Weights;
        var theta = ProbeStatistics.UnitDirections(raw, model.HeadDim);
        var sigma = ProbeStatistics.ProjectionStd(all, theta);
        var acc = fits.ValidationAccuracy;
        var omega = ProbeStatistics.SoftWeights(acc, options.SoftWeightExponent);
        var monitor = ProbeStatistics.TopHeads(acc, Math.Min(options.MonitorHeads, acc.Length));
        double tau = options.Tau ?? ProbeStatistics.DefaultTau(acc);
        return new ProbeSet(trait, model, provenance, training, options.Direction, options.SoftWeightExponent, tau,
            options.Tau is null, (float[])fits.Weights.Clone(), (float[])fits.Bias.Clone(), (float[])acc.Clone(),
            (float[])fits.TrainAccuracy.Clone(), theta, sigma, omega, monitor,
            options.IncludeClassMeans ? mp : null, options.IncludeClassMeans ? mn : null);
    }

    /// <summary>The same probes with an explicit τ.</summary>
    public ProbeSet WithTau(double tau) => tau is >= 0 and <= 1
        ? new ProbeSet(Trait, Model, Provenance, Training, Direction, SoftWeightExponent, tau, false, Weights, Bias, Accuracy,
            TrainAccuracy, Theta, Sigma, Omega, MonitorHeads, MeanPositive, MeanNegative)
        : throw new SmitinException($"tau = {tau}: expected a probability in [0, 1]");

    public float AccuracyAt(int layer, int head) => Accuracy[Index(layer, head)];
    public ReadOnlySpan<float> W(int layer, int head) => Weights.AsSpan(Index(layer, head) * HeadDim, HeadDim);
    public ReadOnlySpan<float> ThetaAt(int layer, int head) => Theta.AsSpan(Index(layer, head) * HeadDim, HeadDim);

    /// <summary>The <paramref name="count"/> most accurate heads, best first.</summary>
    public IReadOnlyList<HeadRef> BestHeads(int count) =>
        ProbeStatistics.TopHeads(Accuracy, Math.Min(count, Accuracy.Length)).Select(Ref).ToList();

    public IReadOnlyList<HeadRef> Monitor => MonitorHeads.Select(Ref).ToList();

    /// <summary>
    /// The layers × heads validation-accuracy heatmap as a Plotly.NET chart (<see cref="Smitin.Viz.ProbeHeatmap"/>):
    /// trace 0 the heatmap, trace 1 the monitor heads. Restyle it with Plotly.NET; notebooks render it offline.
    /// </summary>
    public Plotly.NET.GenericChart Heatmap() => Smitin.Viz.ProbeHeatmap.ToChart(this);

    /// <summary>Throws a <see cref="SmitinException"/> unless <paramref name="model"/> is the model these probes were trained on.</summary>
    public void EnsureModel(ProbeModelIdentity model, string? source = null)
    {
        if (model.Identity == Model.Identity && model.ConfigHash == Model.ConfigHash && model.Layers == Layers &&
            model.Heads == Heads && model.HeadDim == HeadDim) return;
        throw new SmitinException($"{source ?? "probe set"} (trait '{Trait}') was trained for model {Model}, but the model in use is {model}: " +
            "probes only apply to the model they were trained on; train probes for this model with 'smitin probe'");
    }

    public void Save(string path) => ProbeSetFile.Save(this, path);

    /// <summary>Loads and validates a probe set (shapes, consistency, checksum).</summary>
    public static ProbeSet Load(string path) => ProbeSetFile.Load(path);

    /// <summary>Loads a probe set and refuses it unless it was trained for <paramref name="model"/>.</summary>
    public static ProbeSet Load(string path, ProbeModelIdentity model)
    {
        var set = ProbeSetFile.Load(path);
        set.EnsureModel(model, path);
        return set;
    }

    /// <summary>Loads a probe set and refuses it unless it was trained for <paramref name="model"/>.</summary>
    public static ProbeSet Load(string path, Models.MusicGen model) => Load(path, ProbeModelIdentity.Of(model));

    HeadRef Ref(int i) => new(i / Heads, i % Heads, Accuracy[i]);

    int Index(int layer, int head)
    {
        if ((uint)layer >= (uint)Layers || (uint)head >= (uint)Heads)
            throw new ArgumentOutOfRangeException(nameof(layer), $"head (layer {layer}, head {head}) outside {Layers} x {Heads}");
        return layer * Heads + head;
    }
}
