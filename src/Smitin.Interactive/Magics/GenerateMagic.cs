using Microsoft.DotNet.Interactive.Directives;
using Smitin.Audio;
using Smitin.Generation;
using Smitin.Models;
using Smitin.Steering;

namespace Smitin.Interactive.Magics;

/// <summary><c>#!smitin generate</c>: text-to-music or continuation, optionally steered (ITI or SMITIN).</summary>
public sealed class GenerateMagic : PromptedMagicCommand
{
    public string? Steer { get; set; }

    internal static KernelActionDirective Declare()
    {
        var d = new KernelActionDirective("generate", "Generate music from a text and/or audio prompt, optionally steered towards (or away from) a probed trait.");
        foreach (var p in MagicOptions.Prompt()) d.Parameters.Add(p);
        d.Parameters.Add(new KernelDirectiveParameter("--steer", "none (default), iti or smitin.").AddCompletions(() => ["none", "iti", "smitin"]));
        foreach (var p in MagicOptions.Steering()) d.Parameters.Add(p);
        d.Parameters.Add(new KernelDirectiveParameter("--var", "C# variable to bind the generation result to (default: result)."));
        d.Parameters.Add(SmitinMagics.HelpParameter());
        return d;
    }

    internal override async Task RunAsync(MagicContext magic)
    {
        var request = ParseGeneration();
        string steer = (Steer ?? "none").ToLowerInvariant();
        Check(steer is "none" or "iti" or "smitin", $"--steer must be none, iti or smitin, got '{Steer}'");
        if (steer == "none")
            Check(Alpha is null && TopHeads is null && Every is null && Tau is null && !Remove,
                "--alpha, --top-heads, --every, --tau and --remove need --steer iti or --steer smitin (--trait alone only monitors)");
        var model = magic.Session.RequireModel();
        var options = request.Options;
        string label = "no control";
        if (steer != "none" || Trait is not null)
        {
            var steering = ParseSteering(magic);
            options = options with
            {
                Steering = steer == "none" ? steering.MonitorOnly() : steering.Plan(steer == "iti" ? SteeringMode.Iti : SteeringMode.Smitin),
            };
            label = steer == "none" ? "no control (monitored)" : steer.ToUpperInvariant();
        }
        var result = await (request with { Options = options }).RunAsync(model, magic, $"generate ({label})", stream: true);
        magic.Session.LastResult = result;
        if (result.Steering is not null) magic.Session.LastTraced = [new ComparisonVariant(label, result)];
        magic.Display(result);
        await magic.BindAsync(Var ?? "result", result);
    }
}
