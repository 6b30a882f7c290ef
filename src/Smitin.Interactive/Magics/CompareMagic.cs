using Smitin.Steering;

namespace Smitin.Interactive.Magics;

/// <summary><c>#!smitin compare</c>: no control vs ITI vs SMITIN, same prompt and seed, side by side.</summary>
public sealed class CompareMagic : PromptedMagicCommand
{
    internal const string Description = "Generate the same prompt with the same seed three times (no control, ITI, SMITIN) and show them side by side with the monitor traces.";

    internal static IReadOnlyList<MagicOption> Options() =>
        [.. MagicOptions.Prompt(), .. MagicOptions.Steering(), MagicOptions.Var("comparison", "comparison"), MagicOptions.Help()];

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
            // No --seed: the engine picks one for the first variant; the others reuse it (one seed for every variant).
            request = request with { Options = request.Options with { Seed = result.Seed } };
        }
        var comparison = new Comparison(variants, model.FrameRate);
        magic.Session.LastComparison = comparison;
        magic.Session.LastTraced = variants;
        magic.Display(comparison);
        await magic.BindAsync(Var ?? "comparison", comparison);
    }
}
