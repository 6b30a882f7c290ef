namespace Smitin.Probing;

/// <summary>One head's place and accuracy, for summaries.</summary>
public readonly record struct HeadRef(int Layer, int Head, float Accuracy)
{
    /// <summary><c>L{layer}H{head} {accuracy}</c>, e.g. <c>L3H7 91.2%</c>.</summary>
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
    /// <summary>Trait the probes detect (a stem name or a label, e.g. <c>drums</c>).</summary>
    public string Trait { get; }
    /// <summary>The model the probes belong to; they apply to no other (<see cref="EnsureModel"/>).</summary>
    public ProbeModelIdentity Model { get; }
    /// <summary>Where the probing data came from and how it was split.</summary>
    public ProbeProvenance Provenance { get; }
    /// <summary>The logistic-regression settings the probes were fitted with.</summary>
    public ProbeTrainingOptions Training { get; }
    /// <summary>How θ was derived (probe weight or mass-mean, docs/method.md §4.1); σ belongs to it.</summary>
    public ProbeDirection Direction { get; }
    /// <summary>Exponent p of the soft weights <see cref="Omega"/> (paper: 3).</summary>
    public double SoftWeightExponent { get; }
    /// <summary>Gate threshold τ (see <see cref="TauIsDefault"/>).</summary>
    public double Tau { get; }
    /// <summary>True when τ = median(a) − std(a); false when it was given explicitly.</summary>
    public bool TauIsDefault { get; }
    /// <summary>Decoder layers L.</summary>
    public int Layers => Model.Layers;
    /// <summary>Self-attention heads H per layer.</summary>
    public int Heads => Model.Heads;
    /// <summary>Head size D (floats per head output z_{l,h}).</summary>
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
    public int[] MonitorHeadIndices { get; }
    /// <summary>(L, H, D) mean activation of segments with / without the trait; null when not stored.</summary>
    public float[]? MeanPositive { get; }
    /// <summary>(L, H, D) mean activation of segments without the trait; null when not stored.</summary>
    public float[]? MeanNegative { get; }

    internal ProbeSet(string trait, ProbeModelIdentity model, ProbeProvenance provenance, ProbeTrainingOptions training,
        ProbeDirection direction, double softWeightExponent, double tau, bool tauIsDefault, float[] weights, float[] bias,
        float[] accuracy, float[] trainAccuracy, float[] theta, float[] sigma, float[] omega, int[] monitorHeadIndices,
        float[]? meanPositive, float[]? meanNegative)
    {
        Trait = trait; Model = model; Provenance = provenance; Training = training; Direction = direction;
        SoftWeightExponent = softWeightExponent; Tau = tau; TauIsDefault = tauIsDefault; Weights = weights; Bias = bias;
        Accuracy = accuracy; TrainAccuracy = trainAccuracy; Theta = theta; Sigma = sigma; Omega = omega;
        MonitorHeadIndices = monitorHeadIndices; MeanPositive = meanPositive; MeanNegative = meanNegative;
    }

    /// <summary>
    /// Builds the probe set from fitted probes. <paramref name="all"/> is the whole probing set (train + validation):
    /// the mass-mean direction, σ and the class means are taken over it, as ITI does.
    /// </summary>
    /// <exception cref="OptionException">an option is out of range</exception>
    /// <exception cref="SmitinException">an empty trait name; fits or activations of another shape than the model; undefined
    /// validation accuracy; a head whose direction has zero length</exception>
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
        var monitor = ProbeStatistics.TopHeads(acc, Math.Min(options.MonitorHeadCount, acc.Length));
        double tau = options.Tau ?? ProbeStatistics.DefaultTau(acc);
        return new ProbeSet(trait, model, provenance, training, options.Direction, options.SoftWeightExponent, tau,
            options.Tau is null, (float[])fits.Weights.Clone(), (float[])fits.Bias.Clone(), (float[])acc.Clone(),
            (float[])fits.TrainAccuracy.Clone(), theta, sigma, omega, monitor,
            options.IncludeClassMeans ? mp : null, options.IncludeClassMeans ? mn : null);
    }

    /// <summary>The same probes with an explicit τ.</summary>
    public ProbeSet WithTau(double tau) => tau is >= 0 and <= 1
        ? new ProbeSet(Trait, Model, Provenance, Training, Direction, SoftWeightExponent, tau, false, Weights, Bias, Accuracy,
            TrainAccuracy, Theta, Sigma, Omega, MonitorHeadIndices, MeanPositive, MeanNegative)
        : throw new SmitinException($"tau = {tau}: expected a probability in [0, 1]");

    /// <summary>Validation accuracy a_{l,h} of one head.</summary>
    public float AccuracyAt(int layer, int head) => Accuracy[Index(layer, head)];
    /// <summary>Probe weight w_{l,h} (D) of one head.</summary>
    public ReadOnlySpan<float> W(int layer, int head) => Weights.AsSpan(Index(layer, head) * HeadDim, HeadDim);
    /// <summary>Unit direction θ_{l,h} (D) of one head.</summary>
    public ReadOnlySpan<float> ThetaAt(int layer, int head) => Theta.AsSpan(Index(layer, head) * HeadDim, HeadDim);

    /// <summary>The <paramref name="count"/> most accurate heads, best first.</summary>
    public IReadOnlyList<HeadRef> BestHeads(int count) =>
        ProbeStatistics.TopHeads(Accuracy, Math.Min(count, Accuracy.Length)).Select(Ref).ToList();

    /// <summary>The monitor heads with their accuracies, most accurate first.</summary>
    public IReadOnlyList<HeadRef> Monitor => MonitorHeadIndices.Select(Ref).ToList();

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

    /// <summary>Writes the probe set as one safetensors file (format: docs/probing.md), atomically.</summary>
    /// <param name="path">destination, conventionally <c>TRAIT.probe</c></param>
    /// <exception cref="SmitinException">the file cannot be written</exception>
    public void Save(string path) => ProbeSetFile.Save(this, path);

    /// <summary>Loads and validates a probe set (shapes, consistency, checksum).</summary>
    /// <exception cref="SmitinException">the file is missing, not a probe set, damaged (checksum) or inconsistent (the
    /// message names the file and the tensor)</exception>
    public static ProbeSet Load(string path) => ProbeSetFile.Load(path);

    /// <summary>Loads a probe set and refuses it unless it was trained for <paramref name="model"/>.</summary>
    /// <exception cref="SmitinException">as <see cref="Load(string)"/>, or the probes belong to another model</exception>
    public static ProbeSet Load(string path, ProbeModelIdentity model)
    {
        var set = ProbeSetFile.Load(path);
        set.EnsureModel(model, path);
        return set;
    }

    /// <summary>Loads a probe set and refuses it unless it was trained for <paramref name="model"/>.</summary>
    /// <exception cref="SmitinException">as <see cref="Load(string)"/>, or the probes belong to another model</exception>
    public static ProbeSet Load(string path, Models.MusicGen model) => Load(path, ProbeModelIdentity.Of(model));

    HeadRef Ref(int i) => new(i / Heads, i % Heads, Accuracy[i]);

    int Index(int layer, int head)
    {
        if ((uint)layer >= (uint)Layers || (uint)head >= (uint)Heads)
            throw new ArgumentOutOfRangeException(nameof(layer), $"head (layer {layer}, head {head}) outside {Layers} x {Heads}");
        return layer * Heads + head;
    }
}
