using System.CommandLine;
using System.Globalization;
using Smitin.Models;
using Smitin.Probing;
using Smitin.Steering;

namespace Smitin.Cli;

/// <summary>
/// The steering options of <c>smitin generate</c>: <c>--steer drums.probe [--steer bass.probe:remove] [--mode smitin|iti]
/// [--alpha 5] [--every 5] [--top-k-heads 48] [--tau T] [--beta one-minus-c|one] [--rows both|cond] --trace-out trace.json</c>,
/// plus <c>--monitor FILE</c> for a trace without steering. The knobs apply to every steered trait.
/// </summary>
sealed class SteerOptions
{
    readonly SteeringOptions _defaults = new();
    public readonly Option<string[]> Steer = new("--steer") { Description = "Probe set (from 'smitin probe') of a trait to steer towards; FILE:remove pushes it out instead. Repeat for several traits (shifts add up, each trait has its own monitor)" };
    public readonly Option<string[]> Monitor = new("--monitor") { Description = "Probe set of a trait to watch without steering it (its monitor goes into --trace-out)" };
    public readonly Option<string> Mode = new("--mode") { Description = "smitin (soft weights, every s-th step, self-monitored gate; default) or iti (top-K heads, every step, no gate)", DefaultValueFactory = _ => "smitin" };
    public readonly Option<double> Alpha = new("--alpha") { Description = "Strength alpha (paper default 5; ITI used 15)", DefaultValueFactory = _ => 5 };
    public readonly Option<int> Every = new("--every") { Description = "SMITIN: shift every s-th generated step (default 5)", DefaultValueFactory = _ => 5 };
    public readonly Option<int> TopKHeads = new("--top-k-heads") { Description = "ITI: number of most accurate heads shifted (default 48)", DefaultValueFactory = _ => 48 };
    public readonly Option<double?> Tau = new("--tau") { Description = "SMITIN gate threshold tau (default: the probe set's, median - std of the head accuracies)" };
    public readonly Option<double?> TauRemove = new("--tau-remove") { Description = "Gate threshold when removing: shift while C > it (default 1 - tau)" };
    public readonly Option<string> Beta = new("--beta") { Description = "SMITIN attenuation: one-minus-c (1 - C adding, C removing; default) or one", DefaultValueFactory = _ => "one-minus-c" };
    public readonly Option<string> Rows = new("--rows") { Description = "Guidance rows shifted: both (default) or cond", DefaultValueFactory = _ => "both" };
    public readonly Option<double> SoftWeightExponent = new("--soft-weight-exponent") { Description = "SMITIN: exponent p of the head weights ((a - amin)/(amax - amin))^p (default 3)", DefaultValueFactory = _ => 3 };
    public readonly Option<int> MonitorHeads = new("--monitor-heads") { Description = "M most accurate heads whose median probe output is the monitor C (default 16)", DefaultValueFactory = _ => 16 };
    public readonly Option<bool> LatchGate = new("--latch-gate") { Description = "SMITIN: once the gate closes for a sample it stays closed (default: re-opens when C falls back)" };
    public readonly Option<string?> Direction = new("--direction") { Description = "Require the probe sets' direction: probe or mass-mean (default: whatever they hold)" };
    public readonly Option<string?> TraceOut = new("--trace-out") { Description = "Write the resolved plan and the monitor trace (per step, trait and sample: C, mean, std, min, max, gate, shift, beta) as JSON" };

    public IEnumerable<Option> All => [Steer, Monitor, Mode, Alpha, Every, TopKHeads, Tau, TauRemove, Beta, Rows, SoftWeightExponent, MonitorHeads, LatchGate, Direction, TraceOut];

    /// <summary>True when any trait is steered or monitored.</summary>
    public bool Requested(ParseResult parse) => (parse.GetValue(Steer)?.Length ?? 0) + (parse.GetValue(Monitor)?.Length ?? 0) > 0;

    /// <summary>Checks the knobs and that every probe set is a readable file (before the model is loaded).</summary>
    public (List<(string Path, SteeringOptions Options)> Traits, string? TraceOut) Parse(ParseResult parse)
    {
        string? traceOut = parse.GetValue(TraceOut);
        if (!Requested(parse))
        {
            if (traceOut is not null) throw new SmitinException("--trace-out needs --steer or --monitor (a probe set whose monitor is traced)");
            return ([], null);
        }
        var knobs = _defaults with
        {
            Mode = SteeringOptions.ParseMode(parse.GetValue(Mode)!),
            Alpha = parse.GetValue(Alpha), Every = parse.GetValue(Every), TopKHeads = parse.GetValue(TopKHeads),
            Tau = parse.GetValue(Tau), TauRemove = parse.GetValue(TauRemove),
            Beta = SteeringOptions.ParseBeta(parse.GetValue(Beta)!), Rows = SteeringOptions.ParseRows(parse.GetValue(Rows)!),
            SoftWeightExponent = parse.GetValue(SoftWeightExponent), MonitorHeads = parse.GetValue(MonitorHeads),
            LatchGate = parse.GetValue(LatchGate),
            Direction = parse.GetValue(Direction) is { } d ? ProbeSetOptions.ParseDirection(d) : null,
        };
        knobs.Validate();
        var traits = new List<(string, SteeringOptions)>();
        foreach (var spec in parse.GetValue(Steer) ?? [])
        {
            var (path, action) = SplitSpec(spec);
            traits.Add((path, knobs with { Action = action }));
        }
        foreach (var path in parse.GetValue(Monitor) ?? [])
            traits.Add((path, knobs with { Alpha = 0 }));
        foreach (var (path, _) in traits)
            if (!File.Exists(path)) throw new SmitinException($"probe set not found: {path}");
        return (traits, traceOut);
    }

    /// <summary>
    /// Loads the probe sets (each must have been trained on <paramref name="model"/>) into a plan; with only
    /// <c>--monitor</c> sets the plan watches without steering.
    /// </summary>
    public static InterventionPlan Plan(IReadOnlyList<(string Path, SteeringOptions Options)> traits, MusicGen model, bool monitorOnly)
    {
        var sets = traits.Select(t => (ProbeSet.Load(t.Path, model), (SteeringOptions?)t.Options)).ToList();
        return monitorOnly ? InterventionPlan.Monitor(sets.Select(s => s.Item1), traits[0].Options.MonitorHeads) : InterventionPlan.Build(sets);
    }

    /// <summary><c>FILE</c>, <c>FILE:add</c> or <c>FILE:remove</c>.</summary>
    internal static (string Path, SteeringAction Action) SplitSpec(string spec)
    {
        int colon = spec.LastIndexOf(':');
        if (colon > 0 && spec[(colon + 1)..] is "add" or "remove")
            return (spec[..colon], SteeringOptions.ParseAction(spec[(colon + 1)..]));
        return (spec, SteeringAction.Add);
    }

    /// <summary>One line per trait on stderr: what the plan did over the run.</summary>
    public static void Report(SteeringRecord record)
    {
        for (int i = 0; i < record.Plan.Count; i++)
        {
            var plan = record.Plan[i];
            var trace = record.Trace.Traits[i];
            int shifted = trace.Samples.Sum(s => s.Shifted.Count(x => x));
            int steps = record.Trace.Steps;
            string finalC = string.Join(", ", trace.Samples.Select(s => s.Confidence.Length == 0 ? "-" : s.Confidence[^1].ToString("F2", CultureInfo.InvariantCulture)));
            string what = record.MonitorOnly || plan.Alpha == 0 ? "monitored" : $"{plan.Action} ({plan.Mode}, alpha {plan.Alpha.ToString(CultureInfo.InvariantCulture)}, {plan.Gate})";
            Console.Error.WriteLine($"smitin: trait '{plan.Trait}' {what}: {shifted} shifted steps over {steps} x {trace.Samples.Count} sample(s), final C [{finalC}], tau {plan.Tau.ToString("F3", CultureInfo.InvariantCulture)}");
        }
    }
}
