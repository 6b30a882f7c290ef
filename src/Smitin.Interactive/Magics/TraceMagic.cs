using Microsoft.DotNet.Interactive.Directives;

namespace Smitin.Interactive.Magics;

/// <summary><c>#!smitin trace</c>: the monitor trace (Fig. 4 style) of the last steered generation.</summary>
public sealed class TraceMagic : SmitinMagicCommand
{
    public string? Variant { get; set; }

    internal static KernelActionDirective Declare() => new("trace", "Show the self-monitoring trace of the last steered generation: median, mean and spread of the monitor probes, tau dashed, intervention steps marked.")
    {
        Parameters =
        {
            new KernelDirectiveParameter("--variant", "For a comparison: which variant to show (iti or smitin; default: all that have a trace).")
                { AllowImplicitName = true }.AddCompletions(() => ["iti", "smitin"]),
            SmitinMagics.HelpParameter(),
        },
    };

    internal override Task RunAsync(MagicContext magic) => throw NotAvailable.Because("trace", "steering monitor traces");
}
