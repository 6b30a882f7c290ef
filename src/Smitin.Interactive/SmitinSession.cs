using System.Runtime.CompilerServices;
using Microsoft.DotNet.Interactive;
using Smitin.Data;
using Smitin.Generation;
using Smitin.Models;
using Smitin.Probing;

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

    /// <summary>The dataset built by the last <c>#!smitin dataset</c>.</summary>
    public ProbeDataset? Dataset { get; internal set; }

    internal ProbeDataset RequireDataset() =>
        Dataset ?? throw new SmitinException("no dataset: run '#!smitin dataset <trait> --synthetic' (or --source <folder>) first");

    readonly Dictionary<string, ProbeSet> _probes = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Probe sets trained (or loaded) in this notebook, by trait.</summary>
    public IReadOnlyDictionary<string, ProbeSet> Probes => _probes;

    /// <summary>The most recently trained probe set.</summary>
    public ProbeSet? LastProbes { get; private set; }

    /// <summary>The result of the last <c>#!smitin generate</c>.</summary>
    public GenerationResult? LastResult { get; internal set; }

    /// <summary>The last <c>#!smitin compare</c>.</summary>
    public Comparison? LastComparison { get; internal set; }

    /// <summary>The generations of the last generate/compare that carry a monitor trace (what <c>#!smitin trace</c> shows).</summary>
    public IReadOnlyList<ComparisonVariant>? LastTraced { get; internal set; }

    internal void AddProbes(ProbeSet set)
    {
        _probes[set.Trait] = set;
        LastProbes = set;
    }

    /// <summary>The probe set for <paramref name="trait"/>, or the last one when null.</summary>
    internal ProbeSet RequireProbes(string? trait)
    {
        if (trait is null)
            return LastProbes ?? throw new SmitinException("no probes trained yet: run '#!smitin probe' after '#!smitin dataset'");
        return _probes.TryGetValue(trait, out var set)
            ? set
            : throw new Magics.MagicUsageException($"--trait '{trait}': no probes for it in this notebook (trained: {(_probes.Count == 0 ? "none" : string.Join(", ", _probes.Keys))})");
    }
}
