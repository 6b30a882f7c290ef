using System.ComponentModel;
using Smitin.Probing;

namespace Smitin.Interactive.Magics;

/// <summary>
/// <c>#!smitin probe</c>: trains one logistic-regression probe per (layer, head) on the current dataset (z at the last
/// position, unconditional, teacher forced), or loads a saved probe set; then shows the accuracy heatmap.
/// </summary>
public sealed class ProbeMagic : SmitinMagicCommand
{
    public string? Trait { get; set; }
    public string? Direction { get; set; }
    /// <summary><c>--monitor-heads</c>: the number M of monitor heads (a count; the engine records call it
    /// <c>MonitorHeadCount</c>).</summary>
    public int? MonitorHeads { get; set; }
    public double? SoftWeightExponent { get; set; }
    public double? Tau { get; set; }
    public string? Out { get; set; }
    public string? Probes { get; set; }
    public bool NoCache { get; set; }
    public int? MaxSegments { get; set; }
    public string? Var { get; set; }

    /// <summary>Deprecated alias of <see cref="MonitorHeads"/> (<c>--monitor</c>).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)] public int? Monitor { get; set; }
    /// <summary>Deprecated alias of <see cref="Out"/> (<c>--save</c>).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)] public string? Save { get; set; }
    /// <summary>Deprecated alias of <see cref="Probes"/> (<c>--load</c>).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)] public string? Load { get; set; }

    internal override string? VariableName => Var;

    internal const string Description = "Train per-head probes on the current dataset (last position, unconditional, teacher forced) or load a .probe file (--probes), then show the accuracy heatmap.";

    internal static IReadOnlyList<MagicOption> Options()
    {
        var d = new ProbeSetOptions();
        var capture = new CaptureOptions();
        var monitor = new MagicOption("--monitor-heads", $"Number of monitor heads M (most accurate; default {d.MonitorHeadCount}).", MagicValueKind.Integer);
        var output = new MagicOption("--out", "Also write the probe set to this .probe file (checked before training).");
        var probes = new MagicOption("--probes", "Load this .probe file (checked against the loaded model) instead of training.");
        return
        [
            new("--trait", "Must match the dataset's trait (default: the dataset's trait).") { Implicit = true },
            new("--direction", $"Steering direction per head: probe (unit probe weight) or mass-mean (mean(with) - mean(without)) (default {ProbeSetOptions.Name(d.Direction)}).")
                { Choices = ["probe", "mass-mean"] },
            monitor,
            new("--soft-weight-exponent", $"Exponent p of the SMITIN head weights (default {d.SoftWeightExponent}).", MagicValueKind.Number),
            new("--tau", "Monitor threshold tau in [0, 1] (default: median - std of the head accuracies).", MagicValueKind.Number),
            output, probes,
            new("--max-segments", $"Most segments captured, train and validation together (their activations stay in memory: layers x heads x head_dim x 4 bytes each; default {capture.MaxSegments}).", MagicValueKind.Integer),
            new("--no-cache", "Do not read or write the codes/activations caches.", MagicValueKind.Flag),
            MagicOptions.Var("probes", "probe set"), MagicOptions.Help(),
            monitor.Alias("--monitor"), output.Alias("--save"), probes.Alias("--load"),
        ];
    }

    internal override async Task RunAsync(MagicContext magic)
    {
        var defaults = new ProbeSetOptions();
        var setOptions = defaults with
        {
            Direction = Direction is null ? defaults.Direction : ProbeSetOptions.ParseDirection(Direction),
            MonitorHeadCount = MonitorHeads ?? defaults.MonitorHeadCount,
            SoftWeightExponent = SoftWeightExponent ?? defaults.SoftWeightExponent,
            Tau = Tau,
        };
        setOptions.Validate();                                                    // OptionException: shown with the help
        if (Out is not null) AtomicFile.CheckWritable(Out, "out");                 // before training, not after
        var model = magic.Session.RequireModel();
        ProbeSet set;
        if (Probes is not null)
        {
            Check(Direction is null && MonitorHeads is null && SoftWeightExponent is null && !NoCache && MaxSegments is null,
                "--probes reads a finished probe set: --direction, --monitor-heads, --soft-weight-exponent, --max-segments and --no-cache do not apply");
            Check(File.Exists(Probes), $"--probes '{Probes}': no such file");
            set = ProbeSet.Load(Probes, model);
            if (Tau is { } t) set = set.WithTau(t);
            Check(Trait is null || string.Equals(Trait, set.Trait, StringComparison.OrdinalIgnoreCase), $"--trait '{Trait}' but {Probes} holds probes for '{set.Trait}'");
        }
        else
        {
            var dataset = magic.Session.RequireDataset();
            Check(Trait is null || string.Equals(Trait, dataset.Trait, StringComparison.OrdinalIgnoreCase),
                $"--trait '{Trait}' but the current dataset is for '{dataset.Trait}' (run '#!smitin dataset {Trait} ...' first)");
            var captureDefaults = new CaptureOptions();
            var options = new ProbeTrainerOptions
            {
                Capture = (NoCache ? CaptureOptions.Uncached : captureDefaults) with { MaxSegments = MaxSegments ?? captureDefaults.MaxSegments },
                ProbeSet = setOptions,
            };
            options.Capture.Validate();                                           // OptionException: shown with the help
            ProbeTrainer.CheckCapture(model.Config, dataset, options.Capture);    // segment length and count, before the progress line
            var progress = magic.StartProgress($"probe {dataset.Trait}");
            var report = new SyncProgress<ProbeProgress>(p => progress.Report($"{p.Stage} {p.Done}/{p.Total}", p.Total > 0 ? (double)p.Done / p.Total : null));
            set = await progress.Track(() => Task.Run(() => ProbeTrainer.Train(model, dataset, options, report, magic.CancellationToken), magic.CancellationToken),
                s => $"{s.Layers * s.Heads} probes, best {s.BestHeads(1)[0]}");
        }
        // Keep the result first: a failed write must not lose a trained probe set.
        magic.Session.AddProbes(set);
        magic.Display(set);
        string name = Var ?? "probes";
        await magic.BindAsync(name, set);
        if (Out is not null)
        {
            try { set.Save(Out); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new SmitinException($"--out '{Out}': could not write the probe set ({e.Message}); it is kept in this session " +
                    $"(C# variable {name}; save it with {name}.Save(\"path.probe\"))");
            }
        }
    }
}
