using Microsoft.DotNet.Interactive.Directives;

namespace Smitin.Interactive.Magics;

/// <summary><c>#!smitin compare</c>: no control vs ITI vs SMITIN, same prompt and seed, side by side.</summary>
public sealed class CompareMagic : SmitinMagicCommand
{
    public string? Prompt { get; set; }
    public string? Audio { get; set; }
    public double? Seconds { get; set; }
    public int? Seed { get; set; }
    public double? Guidance { get; set; }
    public int? TopK { get; set; }
    public string? Trait { get; set; }
    public double? Alpha { get; set; }
    public int? TopHeads { get; set; }
    public int? Every { get; set; }
    public double? Tau { get; set; }
    public bool Remove { get; set; }
    public string? Var { get; set; }

    internal static KernelActionDirective Declare()
    {
        var d = new KernelActionDirective("compare", "Generate the same prompt with the same seed three times (no control, ITI, SMITIN) and show them side by side.");
        foreach (var p in SteeringOptions.Prompt()) d.Parameters.Add(p);
        foreach (var p in SteeringOptions.Steering()) d.Parameters.Add(p);
        d.Parameters.Add(new KernelDirectiveParameter("--var", "C# variable to bind the comparison to (default: comparison)."));
        d.Parameters.Add(SmitinMagics.HelpParameter());
        return d;
    }

    internal override Task RunAsync(MagicContext magic) => throw NotAvailable.Because("compare", "Smitin.Generation steering");
}
