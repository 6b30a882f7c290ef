using System.Runtime.CompilerServices;
using Microsoft.DotNet.Interactive;
using Smitin.Models;

namespace Smitin.Interactive;

/// <summary>
/// What the magics of one notebook (one root kernel) remember between cells: the loaded model, the last
/// dataset, probe sets per trait and the last results. Each magic also binds its result to a C# variable, so
/// cells can use the engine directly; this object is how later magics find earlier results.
/// </summary>
public sealed class SmitinSession
{
    static readonly ConditionalWeakTable<Kernel, SmitinSession> Sessions = new();

    /// <summary>The session of a notebook's root kernel (created on first use).</summary>
    public static SmitinSession Of(Kernel kernel) => Sessions.GetValue(kernel.RootKernel, _ => new SmitinSession());

    /// <summary>The model loaded by <c>#!smitin load</c>.</summary>
    public MusicGen? Model { get; internal set; }

    /// <summary>Replaces the model, disposing the previous one.</summary>
    internal void SetModel(MusicGen model)
    {
        if (!ReferenceEquals(Model, model)) Model?.Dispose();
        Model = model;
    }

    internal MusicGen RequireModel() =>
        Model ?? throw new SmitinException("no model loaded: run '#!smitin load <model folder or hub id>' first");
}
