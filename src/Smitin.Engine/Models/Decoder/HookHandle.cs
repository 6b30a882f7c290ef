namespace Smitin.Models.Decoder;

/// <summary>Removes a set of hooks when disposed (idempotent).</summary>
public sealed class HookHandle : IDisposable
{
    readonly List<Action> _removers;
    internal HookHandle(List<Action> removers) => _removers = removers;

    /// <summary>Removes the hooks (idempotent).</summary>
    public void Dispose()
    {
        foreach (var remove in _removers) remove();
        _removers.Clear();
    }
}
