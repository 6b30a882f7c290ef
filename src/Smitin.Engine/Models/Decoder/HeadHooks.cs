using Smitin.Generation;
using static TorchSharp.torch;

namespace Smitin.Models.Decoder;

/// <summary>What a head hook knows about the forward pass it runs in.</summary>
/// <param name="PastLength">absolute position of the first query of this forward (cached positions before it)</param>
/// <param name="QueryLength">positions T processed by this forward</param>
/// <param name="Generation">the generation step, or null outside generation (teacher forcing, probing)</param>
public sealed record HookContext(int PastLength, int QueryLength, GenerationContext? Generation);

/// <summary>
/// Reads or replaces the per-head attention output of one layer. <paramref name="z"/> is (B, T, H, Dh), the input of
/// <c>out_proj</c> split per head; it is a view that lives until the end of the current dispose scope: clone/detach
/// anything kept. Return null to leave it unchanged, or a tensor of the same shape to replace it.
/// </summary>
public delegate Tensor? HeadHook(int layer, Tensor z, HookContext context);

/// <summary>Removes a set of hooks when disposed (idempotent).</summary>
public sealed class HookHandle : IDisposable
{
    readonly List<Action> _removers;
    internal HookHandle(List<Action> removers) => _removers = removers;

    public void Dispose()
    {
        foreach (var remove in _removers) remove();
        _removers.Clear();
    }
}
