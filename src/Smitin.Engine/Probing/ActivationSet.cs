namespace Smitin.Probing;

/// <summary>
/// Head activations z_{l,h} of N segments at one position, with a binary label per segment:
/// <see cref="Values"/> is a dense row-major (N, L, H, D) float array. This is what probes train on.
/// </summary>
public sealed class ActivationSet
{
    /// <summary>Segments N.</summary>
    public int Count { get; }
    /// <summary>Decoder layers L.</summary>
    public int Layers { get; }
    /// <summary>Heads H per layer.</summary>
    public int Heads { get; }
    /// <summary>Head size D.</summary>
    public int HeadDim { get; }
    /// <summary>(N, L, H, D) row-major.</summary>
    public float[] Values { get; }
    /// <summary>(N): true = the segment has the trait.</summary>
    public bool[] Labels { get; }

    /// <summary>Wraps captured activations (no copy).</summary>
    /// <param name="values">(N, L, H, D) row-major, N = <paramref name="labels"/>.Length</param>
    /// <param name="labels">(N): true = the segment has the trait</param>
    /// <param name="layers">L</param><param name="heads">H</param><param name="headDim">D</param>
    /// <exception cref="ArgumentException">a size is not positive or <paramref name="values"/> is not N·L·H·D
    /// long</exception>
    public ActivationSet(float[] values, bool[] labels, int layers, int heads, int headDim)
    {
        if (layers <= 0 || heads <= 0 || headDim <= 0)
            throw new ArgumentException($"activation set: layers {layers}, heads {heads}, head_dim {headDim} must all be positive");
        long perRow = (long)layers * heads * headDim;
        if (values.LongLength != perRow * labels.Length)
            throw new ArgumentException($"activation set: {values.LongLength} values, expected N*L*H*D = {labels.Length}*{layers}*{heads}*{headDim} = {perRow * labels.Length}");
        Values = values; Labels = labels; Layers = layers; Heads = heads; HeadDim = headDim; Count = labels.Length;
    }

    /// <summary>L·H: the number of probes.</summary>
    public int HeadCount => Layers * Heads;
    /// <summary>L·H·D: floats per segment.</summary>
    public int RowLength => Layers * Heads * HeadDim;
    /// <summary>Segments with the trait.</summary>
    public int PositiveCount => Labels.Count(l => l);
    /// <summary>Segments without the trait.</summary>
    public int NegativeCount => Count - PositiveCount;

    /// <summary>z of segment <paramref name="n"/> at (layer, head): D floats.</summary>
    public ReadOnlySpan<float> Get(int n, int layer, int head) =>
        Values.AsSpan(((n * Layers + layer) * Heads + head) * HeadDim, HeadDim);

    /// <summary>The (N, D) matrix of one head, copied into <paramref name="dest"/> (length N*D).</summary>
    public void CopyHead(int layer, int head, Span<float> dest)
    {
        for (int n = 0; n < Count; n++) Get(n, layer, head).CopyTo(dest.Slice(n * HeadDim, HeadDim));
    }

    /// <summary>The rows at <paramref name="rows"/>, in that order.</summary>
    public ActivationSet Subset(IReadOnlyList<int> rows)
    {
        int len = RowLength;
        var values = new float[(long)rows.Count * len];
        var labels = new bool[rows.Count];
        for (int i = 0; i < rows.Count; i++)
        {
            Values.AsSpan(rows[i] * len, len).CopyTo(values.AsSpan(i * len, len));
            labels[i] = Labels[rows[i]];
        }
        return new ActivationSet(values, labels, Layers, Heads, HeadDim);
    }

    /// <summary>The same activations with other labels (e.g. shuffled, for a chance-level control).</summary>
    public ActivationSet WithLabels(bool[] labels) =>
        labels.Length == Count ? new ActivationSet(Values, labels, Layers, Heads, HeadDim)
            : throw new ArgumentException($"activation set: {labels.Length} labels for {Count} rows");

    /// <summary>Rows of <paramref name="a"/> followed by rows of <paramref name="b"/>.</summary>
    public static ActivationSet Concat(ActivationSet a, ActivationSet b)
    {
        if (a.Layers != b.Layers || a.Heads != b.Heads || a.HeadDim != b.HeadDim)
            throw new ArgumentException($"activation sets differ in shape: ({a.Layers}, {a.Heads}, {a.HeadDim}) vs ({b.Layers}, {b.Heads}, {b.HeadDim})");
        return new ActivationSet([.. a.Values, .. b.Values], [.. a.Labels, .. b.Labels], a.Layers, a.Heads, a.HeadDim);
    }
}
