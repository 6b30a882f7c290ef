using Microsoft.DotNet.Interactive.Directives;

namespace Smitin.Interactive.Magics;

/// <summary><c>#!smitin probe</c>: trains one logistic-regression probe per (layer, head), then shows the heatmap.</summary>
public sealed class ProbeMagic : SmitinMagicCommand
{
    public string? Trait { get; set; }
    public string? Direction { get; set; }
    public int? Seed { get; set; }
    public string? Var { get; set; }

    internal static KernelActionDirective Declare() => new("probe", "Train per-head probes on the current dataset (last step of each segment, unconditional LM), then show the accuracy heatmap.")
    {
        Parameters =
        {
            new KernelDirectiveParameter("--trait", "Trait of the dataset to probe (default: the last dataset's trait).") { AllowImplicitName = true },
            new KernelDirectiveParameter("--direction", "Steering direction per head: probe (unit probe weight) or mass-mean (mean(pos) - mean(neg)).")
                .AddCompletions(() => ["probe", "mass-mean"]),
            new KernelDirectiveParameter("--seed", "Seed of the probe trainer (default 0).") { TypeHint = "number" },
            new KernelDirectiveParameter("--var", "C# variable to bind the probe set to (default: probes)."),
            SmitinMagics.HelpParameter(),
        },
    };

    internal override Task RunAsync(MagicContext magic) => throw NotAvailable.Because("probe", "Smitin.Probing");
}
