using TorchSharp;
using static TorchSharp.torch;

namespace Smitin.Models.Decoder;

/// <summary>
/// Self-attention keys/values of one layer, preallocated as <c>(B, H, capacity, Dh)</c> and filled in place, so a
/// decode step writes one column instead of concatenating the whole history. Grows (doubling) if a forward needs
/// more room. The buffers are detached from every dispose scope: the owning <see cref="DecoderCache"/> frees them.
/// </summary>
internal sealed class SelfAttentionCache : IDisposable
{
    Tensor? _k, _v; // (B, H, capacity, Dh)
    readonly int _capacityHint;

    public SelfAttentionCache(int capacityHint) => _capacityHint = Math.Max(1, capacityHint);

    public int Length { get; private set; }

    /// <summary>Appends <paramref name="k"/>/<paramref name="v"/> (B, H, T, Dh) and returns views over the whole history (B, H, Length, Dh).</summary>
    public (Tensor K, Tensor V) Append(Tensor k, Tensor v)
    {
        long t = k.shape[2];
        EnsureCapacity(k, Length + t);
        using (torch.no_grad())
        {
            using var kSlot = _k!.narrow(2, Length, t);
            using var vSlot = _v!.narrow(2, Length, t);
            kSlot.copy_(k);
            vSlot.copy_(v);
        }
        Length += (int)t;
        return (_k!.narrow(2, 0, Length), _v!.narrow(2, 0, Length));
    }

    void EnsureCapacity(Tensor like, long needed)
    {
        if (_k is not null && _k.shape[0] != like.shape[0])
            throw new SmitinException($"decoder cache holds batch {_k.shape[0]} rows, forward got {like.shape[0]}");
        long capacity = _k?.shape[2] ?? 0;
        if (needed <= capacity) return;
        long newCapacity = Math.Max(needed, Math.Max(_capacityHint, capacity * 2));
        var shape = new[] { like.shape[0], like.shape[1], newCapacity, like.shape[3] };
        var k = torch.empty(shape, like.dtype, like.device).DetachFromDisposeScope();
        var v = torch.empty(shape, like.dtype, like.device).DetachFromDisposeScope();
        if (_k is not null && Length > 0)
        {
            using var kOld = _k.narrow(2, 0, Length);
            using var vOld = _v!.narrow(2, 0, Length);
            using var kNew = k.narrow(2, 0, Length);
            using var vNew = v.narrow(2, 0, Length);
            kNew.copy_(kOld);
            vNew.copy_(vOld);
        }
        _k?.Dispose(); _v?.Dispose();
        _k = k; _v = v;
    }

    public void Dispose()
    {
        _k?.Dispose(); _v?.Dispose();
        _k = _v = null;
        Length = 0;
    }
}

/// <summary>Cross-attention keys/values of one layer (B, H, S, Dh) and the additive text mask (B, 1, 1, S), computed once.</summary>
internal sealed class CrossAttentionCache : IDisposable
{
    public Tensor? K { get; private set; }
    public Tensor? V { get; private set; }
    public Tensor? Mask { get; private set; }
    public bool IsSet => K is not null;

    public void Set(Tensor k, Tensor v, Tensor? mask)
    {
        Dispose();
        K = k.alias().DetachFromDisposeScope();
        V = v.alias().DetachFromDisposeScope();
        Mask = mask?.alias().DetachFromDisposeScope();
    }

    public void Dispose()
    {
        K?.Dispose(); V?.Dispose(); Mask?.Dispose();
        K = V = Mask = null;
    }
}

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

    public void Dispose()
    {
        foreach (var s in Self) s.Dispose();
        foreach (var c in Cross) c.Dispose();
    }
}
