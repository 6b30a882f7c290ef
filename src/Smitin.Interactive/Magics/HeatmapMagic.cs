namespace Smitin.Interactive.Magics;

/// <summary><c>#!smitin heatmap</c>: shows the layer × head accuracy heatmap of a trained probe set.</summary>
public sealed class HeatmapMagic : SmitinMagicCommand
{
    public string? Trait { get; set; }
    public double? Tau { get; set; }

    internal const string Description = "Show the layers x heads probe accuracy heatmap (hover: accuracy; best accuracy and tau in the title; monitor heads outlined).";

    internal static IReadOnlyList<MagicOption> Options() =>
    [
        new("--trait", "Which probe set of this notebook (default: the last one trained or loaded).") { Implicit = true },
        new("--tau", "Show (and keep for steering) this monitor threshold instead of the probe set's.", MagicValueKind.Number),
        MagicOptions.Help(),
    ];

    internal override Task RunAsync(MagicContext magic)
    {
        if (Tau is { } tau) new Probing.ProbeSetOptions { Tau = tau }.Validate();   // the engine's rule for tau
        var set = magic.Session.RequireProbes(Trait);
        if (Tau is { } t)
        {
            set = set.WithTau(t);
            magic.Session.AddProbes(set);
        }
        magic.Display(set);
        return Task.CompletedTask;
    }
}
