using Microsoft.DotNet.Interactive.Directives;

namespace Smitin.Interactive.Magics;

/// <summary><c>#!smitin generate</c>: text-to-music or continuation, optionally steered (ITI or SMITIN).</summary>
public sealed class GenerateMagic : SmitinMagicCommand
{
    public string? Prompt { get; set; }
    public string? Audio { get; set; }
    public double? Seconds { get; set; }
    public int? Seed { get; set; }
    public double? Guidance { get; set; }
    public int? TopK { get; set; }
    public string? Steer { get; set; }
    public string? Trait { get; set; }
    public double? Alpha { get; set; }
    public int? TopHeads { get; set; }
    public int? Every { get; set; }
    public double? Tau { get; set; }
    public bool Remove { get; set; }
    public string? Var { get; set; }

    internal static KernelActionDirective Declare()
    {
        var d = new KernelActionDirective("generate", "Generate music from a text and/or audio prompt, optionally steered towards (or away from) a probed trait.");
        foreach (var p in SteeringOptions.Prompt()) d.Parameters.Add(p);
        d.Parameters.Add(new KernelDirectiveParameter("--steer", "none (default), iti or smitin.").AddCompletions(() => ["none", "iti", "smitin"]));
        foreach (var p in SteeringOptions.Steering()) d.Parameters.Add(p);
        d.Parameters.Add(new KernelDirectiveParameter("--var", "C# variable to bind the generation result to (default: result)."));
        d.Parameters.Add(SmitinMagics.HelpParameter());
        return d;
    }

    internal override Task RunAsync(MagicContext magic) => throw NotAvailable.Because("generate", "Smitin.Generation");
}
