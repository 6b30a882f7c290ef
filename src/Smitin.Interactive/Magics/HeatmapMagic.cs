using Microsoft.DotNet.Interactive.Directives;

namespace Smitin.Interactive.Magics;

/// <summary><c>#!smitin heatmap</c>: shows the layer × head accuracy heatmap of a trained probe set.</summary>
public sealed class HeatmapMagic : SmitinMagicCommand
{
    public string? Trait { get; set; }

    internal static KernelActionDirective Declare() => new("heatmap", "Show the layers x heads probe accuracy heatmap (best accuracy and tau in the title, monitor heads marked).")
    {
        Parameters =
        {
            new KernelDirectiveParameter("--trait", "Which trained probe set (default: the last one).") { AllowImplicitName = true },
            SmitinMagics.HelpParameter(),
        },
    };

    internal override Task RunAsync(MagicContext magic) => throw NotAvailable.Because("heatmap", "Smitin.Probing");
}
