using Microsoft.DotNet.Interactive.Directives;

namespace Smitin.Interactive.Magics;

/// <summary><c>#!smitin heatmap</c>: shows the layer × head accuracy heatmap of a trained probe set.</summary>
public sealed class HeatmapMagic : SmitinMagicCommand
{
    public string? Trait { get; set; }
    public double? Tau { get; set; }

    internal static KernelActionDirective Declare() => new("heatmap", "Show the layers x heads probe accuracy heatmap (hover: accuracy; best accuracy and tau in the title; monitor heads outlined).")
    {
        Parameters =
        {
            new KernelDirectiveParameter("--trait", "Which probe set of this notebook (default: the last one trained or loaded).") { AllowImplicitName = true },
            new KernelDirectiveParameter("--tau", "Show (and keep for steering) this monitor threshold instead of the probe set's.") { TypeHint = "number" },
            SmitinMagics.HelpParameter(),
        },
    };

    internal override Task RunAsync(MagicContext magic)
    {
        CheckRange(Tau, "--tau", 0, 1);
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
