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
