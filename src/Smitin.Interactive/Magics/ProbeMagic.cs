using Microsoft.DotNet.Interactive.Directives;
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
    public int? Monitor { get; set; }
    public double? Tau { get; set; }
    public string? Save { get; set; }
    public string? Load { get; set; }
    public bool NoCache { get; set; }
    public string? Var { get; set; }

    internal static KernelActionDirective Declare() => new("probe", "Train per-head probes on the current dataset (last position, unconditional, teacher forced) or load a .probe file, then show the accuracy heatmap.")
    {
        Parameters =
        {
            new KernelDirectiveParameter("--trait", "Must match the dataset's trait (default: the dataset's trait).") { AllowImplicitName = true },
            new KernelDirectiveParameter("--direction", "Steering direction per head: probe (unit probe weight, default) or mass-mean (mean(with) - mean(without)).")
                .AddCompletions(() => ["probe", "mass-mean"]),
            new KernelDirectiveParameter("--monitor", "Number of monitor heads M (most accurate; default 16).") { TypeHint = "number" },
            new KernelDirectiveParameter("--tau", "Monitor threshold tau in [0, 1] (default: median - std of the head accuracies).") { TypeHint = "number" },
            new KernelDirectiveParameter("--save", "Also write the probe set to this .probe file."),
            new KernelDirectiveParameter("--load", "Load a saved .probe file (checked against the loaded model) instead of training."),
            new KernelDirectiveParameter("--no-cache", "Do not read or write the codes/activations caches.") { Flag = true },
            new KernelDirectiveParameter("--var", "C# variable to bind the probe set to (default: probes)."),
            SmitinMagics.HelpParameter(),
        },
    };

    internal override async Task RunAsync(MagicContext magic)
    {
        CheckRange(Monitor, "--monitor", 1, 100000);
        CheckRange(Tau, "--tau", 0, 1);
        ProbeDirection direction = ProbeDirection.ProbeWeight;
        if (Direction is not null)
        {
            try { direction = ProbeSetOptions.ParseDirection(Direction); }
            catch (SmitinException e) { throw new MagicUsageException($"--direction: {e.Message}"); }
        }
        var model = magic.Session.RequireModel();
        ProbeSet set;
        if (Load is not null)
        {
            Check(Direction is null && Monitor is null && !NoCache, "--load reads a finished probe set: --direction, --monitor and --no-cache do not apply");
            Check(File.Exists(Load), $"--load '{Load}': no such file");
            set = ProbeSet.Load(Load, model);
            if (Tau is { } t) set = set.WithTau(t);
            Check(Trait is null || string.Equals(Trait, set.Trait, StringComparison.OrdinalIgnoreCase), $"--trait '{Trait}' but {Load} holds probes for '{set.Trait}'");
        }
        else
        {
            var dataset = magic.Session.RequireDataset();
            Check(Trait is null || string.Equals(Trait, dataset.Trait, StringComparison.OrdinalIgnoreCase),
                $"--trait '{Trait}' but the current dataset is for '{dataset.Trait}' (run '#!smitin dataset {Trait} ...' first)");
            var options = new ProbeTrainerOptions
            {
                Capture = NoCache ? CaptureOptions.Uncached : new CaptureOptions(),
                ProbeSet = new ProbeSetOptions { Direction = direction, MonitorHeads = Monitor ?? 16, Tau = Tau },
            };
            var progress = magic.StartProgress($"probe {dataset.Trait}");
            var report = new SyncProgress<ProbeProgress>(p => progress.Report($"{p.Stage} {p.Done}/{p.Total}", p.Total > 0 ? (double)p.Done / p.Total : null));
            try
            {
                set = await Task.Run(() => ProbeTrainer.Train(model, dataset, options, report, magic.CancellationToken), magic.CancellationToken);
            }
            catch
            {
                progress.Finish("failed", failed: true);
                throw;
            }
            var best = set.BestHeads(1)[0];
            progress.Finish($"{set.Layers * set.Heads} probes, best {best}");
        }
        if (Save is not null) set.Save(Save);
        magic.Session.AddProbes(set);
        magic.Display(set);
        await magic.BindAsync(Var ?? "probes", set);
    }
}
