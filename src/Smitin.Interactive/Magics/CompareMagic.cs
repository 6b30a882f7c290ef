using Microsoft.DotNet.Interactive.Directives;
using Smitin.Steering;

namespace Smitin.Interactive.Magics;

/// <summary><c>#!smitin compare</c>: no control vs ITI vs SMITIN, same prompt and seed, side by side.</summary>
public sealed class CompareMagic : PromptedMagicCommand
{
    internal static KernelActionDirective Declare()
    {
        var d = new KernelActionDirective("compare", "Generate the same prompt with the same seed three times (no control, ITI, SMITIN) and show them side by side with the monitor traces.");
        foreach (var p in MagicOptions.Prompt()) d.Parameters.Add(p);
        foreach (var p in MagicOptions.Steering()) d.Parameters.Add(p);
        d.Parameters.Add(new KernelDirectiveParameter("--var", "C# variable to bind the comparison to (default: comparison)."));
        d.Parameters.Add(SmitinMagics.HelpParameter());
        return d;
    }

    internal override async Task RunAsync(MagicContext magic)
    {
        var request = ParseGeneration();
        var steering = ParseSteering(magic);
        var model = magic.Session.RequireModel();
        var variants = new List<ComparisonVariant>();
        foreach (var (label, plan) in new[]
        {
            ("no control", steering.MonitorOnly()),
            ("ITI", steering.Plan(SteeringMode.Iti)),
            ("SMITIN", steering.Plan(SteeringMode.Smitin)),
        })
        {
            var result = await (request with { Options = request.Options with { Steering = plan } }).RunAsync(model, magic, $"compare: {label}");
            variants.Add(new ComparisonVariant(label, result));
        }
        var comparison = new Comparison(variants, model.FrameRate);
        magic.Session.LastComparison = comparison;
        magic.Session.LastTraced = variants;
        magic.Display(comparison);
        await magic.BindAsync(Var ?? "comparison", comparison);
    }
}
