using Smitin.Interactive.Formatting;

namespace Smitin.Interactive.Magics;

/// <summary><c>#!smitin trace</c>: the monitor chart (Fig. 4 style) of the last steered or monitored generation(s).</summary>
public sealed class TraceMagic : SmitinMagicCommand
{
    public string? Variant { get; set; }

    internal const string Description = "Show the self-monitoring trace of the last steered (or monitored) generate/compare: median, mean and spread of the monitor probes, tau dashed, intervention steps marked.";

    internal static IReadOnlyList<MagicOption> Options() =>
    [
        new("--variant", "After compare: only this variant (none, iti or smitin; default: all).") { Implicit = true, Choices = ["none", "iti", "smitin"] },
        MagicOptions.Help(),
    ];

    internal override Task RunAsync(MagicContext magic)
    {
        var traced = magic.Session.LastTraced
            ?? throw new SmitinException("no monitor trace yet: run '#!smitin generate --mode smitin' (or --trait T to only monitor) or '#!smitin compare' first");
        var chosen = traced;
        if (Variant is not null)
        {
            string wanted = Variant.ToLowerInvariant() == "none" ? "no control" : Variant;
            chosen = traced.Where(v => v.Label.StartsWith(wanted, StringComparison.OrdinalIgnoreCase)).ToList();
            Check(chosen.Count > 0, $"--variant '{Variant}': the last traced run has {string.Join(", ", traced.Select(v => v.Label))}");
        }
        double frameRate = magic.Session.RequireModel().FrameRate;
        var series = chosen.SelectMany(v => SteeringHtml.Series(v.Label, v.Result, frameRate)).ToList();
        magic.Display(new MonitorChart(series, "Monitor probes: " + string.Join(" vs ", chosen.Select(v => v.Label))));
        return Task.CompletedTask;
    }
}
