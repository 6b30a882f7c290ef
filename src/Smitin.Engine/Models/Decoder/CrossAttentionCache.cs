using TorchSharp;
using static TorchSharp.torch;

namespace Smitin.Models.Decoder;

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
