using TorchSharp;

namespace Smitin.Models;

/// <summary>
/// TorchSharp registers every tensor it creates, parameters and buffers included, in the current dispose scope, so
/// a module built (or moved to a device) inside a caller's <c>torch.NewDisposeScope()</c> would lose its weights
/// when that scope ends. A model built on its own (not through <see cref="MusicGen.Load"/>, which does the same for
/// every part) detaches its weights: the module owns them and frees them on Dispose.
/// </summary>
internal static class ModuleWeights
{
    public static void DetachFromDisposeScopes(torch.nn.Module module)
    {
        foreach (var p in module.parameters()) p.DetachFromDisposeScope();
        foreach (var b in module.buffers()) b.DetachFromDisposeScope();
    }
}
