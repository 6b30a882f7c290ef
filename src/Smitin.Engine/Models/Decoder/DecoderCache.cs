namespace Smitin.Models.Decoder;

/// <summary>
/// Key/value cache of a whole decoder for incremental decoding: per layer the self-attention history and the
/// cross-attention keys/values of the text memory (computed at the first forward, reused afterwards).
/// Create with <see cref="MusicGenLm.CreateCache"/>; dispose when the generation is over.
/// </summary>
public sealed class DecoderCache : IDisposable
{
    internal SelfAttentionCache[] Self { get; }
    internal CrossAttentionCache[] Cross { get; }

    internal DecoderCache(int layers, int capacityHint)
    {
        Self = Enumerable.Range(0, layers).Select(_ => new SelfAttentionCache(capacityHint)).ToArray();
        Cross = Enumerable.Range(0, layers).Select(_ => new CrossAttentionCache()).ToArray();
    }

    /// <summary>Number of positions already processed (the position of the next token).</summary>
    public int Length => Self.Length == 0 ? 0 : Self[0].Length;

    /// <summary>True once the cross-attention keys/values of a text memory are cached.</summary>
    public bool HasMemory => Cross.Length > 0 && Cross[0].IsSet;

    /// <summary>Frees every layer's key/value buffers.</summary>
    public void Dispose()
    {
        foreach (var s in Self) s.Dispose();
        foreach (var c in Cross) c.Dispose();
    }
}
