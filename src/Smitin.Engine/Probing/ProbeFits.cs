namespace Smitin.Probing;

/// <summary>
/// The fitted probes of every (layer, head): weights w (L, H, D), bias b (L, H), train and validation accuracy
/// (L, H). Arrays are row-major; head (l, h) is at flat index l*H + h.
/// </summary>
public sealed class ProbeFits
{
    /// <summary>Decoder layers L.</summary>
    public int Layers { get; }
    /// <summary>Heads H per layer.</summary>
    public int Heads { get; }
    /// <summary>Head size D.</summary>
    public int HeadDim { get; }
    /// <summary>(L, H, D)</summary>
    public float[] Weights { get; }
    /// <summary>(L, H)</summary>
    public float[] Bias { get; }
    /// <summary>(L, H): fraction of training rows classified correctly (score &gt; 0 = has the trait).</summary>
    public float[] TrainAccuracy { get; }
    /// <summary>(L, H): fraction of validation rows classified correctly; the a_{l,h} of the method.</summary>
    public float[] ValidationAccuracy { get; }
    /// <summary>The solver that fitted the probes.</summary>
    public ProbeSolver Solver { get; }

    /// <summary>Wraps fitted probes (no copy); the arrays are row-major over (L, H[, D]).</summary>
    /// <exception cref="ArgumentException">an array length does not match L, H and D</exception>
    public ProbeFits(int layers, int heads, int headDim, float[] weights, float[] bias, float[] trainAccuracy,
        float[] validationAccuracy, ProbeSolver solver)
    {
        int n = layers * heads;
        if (weights.Length != n * headDim || bias.Length != n || trainAccuracy.Length != n || validationAccuracy.Length != n)
            throw new ArgumentException($"probe fits: array lengths ({weights.Length}, {bias.Length}, {trainAccuracy.Length}, {validationAccuracy.Length}) do not match L={layers} H={heads} D={headDim}");
        Layers = layers; Heads = heads; HeadDim = headDim; Weights = weights; Bias = bias;
        TrainAccuracy = trainAccuracy; ValidationAccuracy = validationAccuracy; Solver = solver;
    }

    /// <summary>Probe weight w_{l,h} (D) of one head.</summary>
    public ReadOnlySpan<float> W(int layer, int head) => Weights.AsSpan((layer * Heads + head) * HeadDim, HeadDim);
}
