using System.CommandLine;
using System.Globalization;
using Smitin.Models;
using Smitin.Probing;
using Smitin.Steering;

namespace Smitin.Cli;

/// <summary>
/// The steering options of <c>smitin generate</c>: <c>--probes drums.probe [--probes bass.probe:remove]
/// [--probes piano.probe:monitor] --mode none|iti|smitin [--remove] [--alpha A] [--every S] [--top-k-heads K] [--tau T]
/// [--tau-remove T] [--beta one-minus-c|one] [--rows both|cond] [--soft-weight-exponent P] [--monitor-heads M]
/// [--latch-gate] [--direction probe|mass-mean] --trace-out trace.json</c>. The knobs apply to every steered trait;
/// defaults are the engine's (<see cref="SteeringOptions"/>, and the probe set's for p, M and τ).
/// </summary>
sealed class SteerOptions
{
    static readonly SteeringOptions Defaults = new();
    public readonly Option<string[]> Probes = new("--probes") { Description = "Probe set (from 'smitin probe') of a trait; FILE:remove pushes it out, FILE:monitor only watches it. Repeat for several traits (shifts add up, each trait has its own monitor)" };
    public readonly Option<string> Mode = new("--mode") { Description = "none (only monitor the probes' traits; default), iti (top-K heads, every step, no gate) or smitin (soft weights, every s-th step, self-monitored gate)" };
    public readonly Option<bool> Remove = new("--remove") { Description = "Push the traits of --probes files without a suffix out instead of in" };
    public readonly Option<double> Alpha = new("--alpha") { Description = $"Strength alpha (default {Defaults.Alpha}; the paper reports 5 and 10, ITI used 15)" };
    public readonly Option<int> Every = new("--every") { Description = $"SMITIN: shift every s-th generated step (default {Defaults.Every})" };
    public readonly Option<int> TopKHeads = new("--top-k-heads") { Description = $"ITI: number of most accurate heads shifted (default {Defaults.TopKHeads})" };
    public readonly Option<double> Tau = new("--tau") { Description = "Gate threshold tau (default: the probe set's, median - std of the head accuracies unless given when probing)" };
    public readonly Option<double> TauRemove = new("--tau-remove") { Description = "Gate threshold when removing: shift while C > it (default 1 - tau)" };
    public readonly Option<string> Beta = new("--beta") { Description = $"SMITIN attenuation: one-minus-c (1 - C adding, C removing) or one (default {SteeringOptions.Name(Defaults.Beta)})" };
    public readonly Option<string> Rows = new("--rows") { Description = $"Guidance rows shifted: both or cond (default {SteeringOptions.Name(Defaults.Rows)})" };
    public readonly Option<double> SoftWeightExponent = new("--soft-weight-exponent") { Description = "SMITIN: exponent p of the head weights ((a - amin)/(amax - amin))^p (default: the probe set's)" };
    /// <summary><c>--monitor-heads</c>: the count M (<see cref="SteeringOptions.MonitorHeadCount"/>).</summary>
    public readonly Option<int> MonitorHeads = new("--monitor-heads") { Description = "M most accurate heads whose median probe output is the monitor C (default: the probe set's)" };
    public readonly Option<bool> LatchGate = new("--latch-gate") { Description = "SMITIN: once the gate closes for a sample it stays closed (default: re-opens when C falls back)" };
    public readonly Option<string?> Direction = new("--direction") { Description = "Require the probe sets' direction: probe or mass-mean (default: whatever they hold)" };
    public readonly Option<string?> TraceOut = new("--trace-out") { Description = "Write the resolved plan and the monitor trace (per step, trait and sample: C, mean, std, min, max, gate, shift, beta) as JSON" };

    public IEnumerable<Option> All => [Probes, Mode, Remove, Alpha, Every, TopKHeads, Tau, TauRemove, Beta, Rows, SoftWeightExponent, MonitorHeads, LatchGate, Direction, TraceOut];

    /// <summary>Options that only mean something when a trait is shifted (an error with <c>--mode none</c>).</summary>
    IEnumerable<Option> ShiftOnly => [Remove, Alpha, Every, TopKHeads, TauRemove, Beta, Rows, LatchGate];

    /// <summary>Checks the knobs and that every probe set is a readable file (before the model is loaded).</summary>
    public (List<(string Path, SteeringOptions Options, bool MonitorOnly)> Traits, string? TraceOut) Parse(ParseResult parse)
    {
        string? traceOut = parse.GetValue(TraceOut);
        string[] specs = parse.GetValue(Probes) ?? [];
        SteeringMode? mode = SteeringOptions.ParseModeOrNone(parse.GetValue(Mode) ?? "none");
        if (specs.Length == 0)
        {
            if (mode is not null) throw new OptionException("mode", $"{SteeringOptions.Name(mode.Value)} needs --probes FILE (a probe set from 'smitin probe')");
            if (traceOut is not null) throw new OptionException("trace-out", "needs --probes FILE (a probe set whose monitor is traced)");
            // a steering knob without a probe set would be ignored silently (e.g. --direction foo, --alpha 30)
            if (All.Where(o => o != Probes && o != Mode && o != TraceOut).FirstOrDefault(parse.Gave) is { } unused)
                throw new OptionException(unused.Name.TrimStart('-'), "only applies with --probes FILE (a probe set from 'smitin probe')");
            return ([], null);
        }
        if (mode is null && ShiftOnly.FirstOrDefault(parse.Gave) is { } shiftOnly)
            throw new OptionException(shiftOnly.Name.TrimStart('-'), "only applies when steering: add --mode smitin or --mode iti");
        var knobs = Defaults with
        {
            Mode = mode ?? Defaults.Mode,
            Alpha = parse.Given(Alpha) ?? Defaults.Alpha,
            Every = parse.Given(Every) ?? Defaults.Every,
            TopKHeads = parse.Given(TopKHeads) ?? Defaults.TopKHeads,
            Tau = parse.Given(Tau),
            TauRemove = parse.Given(TauRemove),
            Beta = parse.GetValue(Beta) is { } beta ? SteeringOptions.ParseBeta(beta) : Defaults.Beta,
            Rows = parse.GetValue(Rows) is { } rows ? SteeringOptions.ParseRows(rows) : Defaults.Rows,
            SoftWeightExponent = parse.Given(SoftWeightExponent),
            MonitorHeadCount = parse.Given(MonitorHeads),
            LatchGate = parse.GetValue(LatchGate),
            Direction = parse.GetValue(Direction) is { } d ? ProbeSetOptions.ParseDirection(d) : null,
        };
        knobs.Validate();
        var traits = new List<(string, SteeringOptions, bool)>();
        var defaultAction = parse.GetValue(Remove) ? SteeringAction.Remove : SteeringAction.Add;
        foreach (var spec in specs)
        {
            var (path, action, monitor) = SplitSpec(spec, defaultAction);
            bool watchOnly = monitor || mode is null;
            traits.Add((path, watchOnly ? knobs with { Alpha = 0 } : knobs with { Action = action }, watchOnly));
        }
        foreach (var (path, _, _) in traits)
            if (!File.Exists(path)) throw new OptionException("probes", $"probe set not found: {path}");
        return (traits, traceOut);
    }


    /// <summary>
    /// Loads the probe sets (each must have been trained on <paramref name="model"/>) into a plan; when every trait is
    /// only watched the plan monitors without steering.
    /// </summary>
    public static InterventionPlan Plan(IReadOnlyList<(string Path, SteeringOptions Options, bool MonitorOnly)> traits, MusicGen model)
    {
        var sets = traits.Select(t => (ProbeSet.Load(t.Path, model), (SteeringOptions?)t.Options)).ToList();
        return traits.All(t => t.MonitorOnly)
            ? InterventionPlan.Monitor(sets.Select(s => s.Item1), traits[0].Options.MonitorHeadCount)
            : InterventionPlan.Build(sets);
    }

    /// <summary><c>FILE</c>, <c>FILE:add</c>, <c>FILE:remove</c> or <c>FILE:monitor</c>.</summary>
    internal static (string Path, SteeringAction Action, bool Monitor) SplitSpec(string spec, SteeringAction defaultAction = SteeringAction.Add)
    {
        int colon = spec.LastIndexOf(':');
        string suffix = colon > 0 ? spec[(colon + 1)..] : "";
        if (suffix == "monitor") return (spec[..colon], defaultAction, true);
        if (suffix is "add" or "remove") return (spec[..colon], SteeringOptions.ParseAction(suffix), false);
        return (spec, defaultAction, false);
    }

    /// <summary>One line per trait on stderr: what the plan did over the run.</summary>
    public static void Report(SteeringRecord record)
    {
        for (int i = 0; i < record.Plan.Count; i++)
        {
            var plan = record.Plan[i];
            var summary = record.Trace.Traits[i].Summarize();
            string what = record.MonitorOnly || plan.Alpha == 0 ? "monitored" : $"{plan.Action} ({plan.Mode}, alpha {plan.Alpha.ToString(CultureInfo.InvariantCulture)}, {plan.Gate})";
            Console.Error.WriteLine($"smitin: trait '{plan.Trait}' {what}: {summary.Describe()}, tau {plan.Tau.ToString("F3", CultureInfo.InvariantCulture)}");
        }
    }
}
