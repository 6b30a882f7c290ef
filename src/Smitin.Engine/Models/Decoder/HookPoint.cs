using TorchSharp;
using static TorchSharp.torch;

namespace Smitin.Models.Decoder;

/// <summary>
/// A named identity module (TransformerLens-style <c>hook_z</c>): the model passes an activation through
/// <see cref="nn.Module{T,TResult}.call"/>, so forward hooks and pre-hooks registered on it can read the tensor or
/// return a replacement. When nobody listens the tensor passes through untouched: no copy, no allocation.
/// </summary>
public sealed class HookPoint : nn.Module<Tensor, Tensor>
{
    /// <summary>A hook point registered under <paramref name="name"/> (e.g. <c>hook_z</c>).</summary>
    public HookPoint(string name) : base(name) { }

    /// <summary>True when at least one hook is registered (callers can skip optional work otherwise).</summary>
    public bool HasHooks => pre_hooks.Count + post_hooks.Count + module_pre_hooks.Count + module_post_hooks.Count > 0;

    /// <summary>Returns <paramref name="input"/> itself (hooks registered on the module may replace it).</summary>
    public override Tensor forward(Tensor input) => input;
}
