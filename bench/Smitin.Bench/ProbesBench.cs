using System.Diagnostics;
using Smitin.Probing;
using TorchSharp;

namespace Smitin.Bench;

/// <summary>
/// <c>probes [--heads 1536] [--examples 1000] [--dim 64] [--solver mlnet|newton] [--tol 1e-8]</c>: trains one probe per
/// head on synthetic activations with a planted direction per head (N training rows, N/4 validation rows) and reports the time.
/// </summary>
static class ProbesBench
{
    public static int Run(string[] args)
    {
        int heads = Int(args, "--heads", 1536), n = Int(args, "--examples", 1000), d = Int(args, "--dim", 64);
        var solver = Arg(args, "--solver") == "newton" ? ProbeSolver.Newton : ProbeSolver.MlNet;
        float tol = float.Parse(Arg(args, "--tol") ?? new ProbeTrainingOptions().OptimizationTolerance.ToString("R"), System.Globalization.CultureInfo.InvariantCulture);
        var all = Synthetic(heads, n + n / 4, d, seed: 1);
        var train = all.Subset(Enumerable.Range(0, n).ToArray());
        var val = all.Subset(Enumerable.Range(n, n / 4).ToArray());
        var options = new ProbeTrainingOptions { Solver = solver, OptimizationTolerance = tol };

        // Warm-up (JIT) on a few heads, then the timed run.
        var small = Synthetic(8, 200, d, seed: 2);
        ProbeFitter.Fit(small, small, options);
        var proc = Process.GetCurrentProcess();
        var cpu0 = proc.TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        var fits = ProbeFitter.Fit(train, val, options);
        sw.Stop();
        proc.Refresh();
        double cpu = (proc.TotalProcessorTime - cpu0).TotalSeconds;
        // CPU time / cores is what the wall time would be on an otherwise idle machine (other processes share the cores).
        Console.WriteLine($"probes: {heads} heads x {train.Count} train rows x {d} dims, solver {solver}, tol {tol:R}, {Environment.ProcessorCount} cores: " +
            $"wall {sw.Elapsed.TotalSeconds:F2} s ({sw.Elapsed.TotalMilliseconds / heads:F2} ms/head), CPU {cpu:F2} s (CPU/cores {cpu / Environment.ProcessorCount:F2} s); " +
            $"mean validation accuracy {fits.ValidationAccuracy.Average():F3}, load average {LoadAverage()}");
        return 0;
    }

    /// <summary>(N, heads, 1, D) activations: per head a random unit direction u, z = noise + (label ? +0.5 : -0.5)·u.</summary>
    static ActivationSet Synthetic(int heads, int n, int d, int seed)
    {
        using var scope = torch.NewDisposeScope();
        var gen = new torch.Generator((ulong)seed);
        var dirs = torch.randn(heads, d, generator: gen);
        dirs = dirs / dirs.norm(1, keepdim: true);                                   // (heads, D) unit directions
        var labels = Enumerable.Range(0, n).Select(i => i % 2 == 0).ToArray();
        var sign = torch.tensor(labels.Select(l => l ? 0.5f : -0.5f).ToArray()).reshape(n, 1, 1);
        var z = torch.randn(n, heads, d, generator: gen) + sign * dirs.unsqueeze(0); // (N, heads, D)
        return new ActivationSet(z.contiguous().data<float>().ToArray(), labels, 1, heads, d);
    }

    static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";

    static string? Arg(string[] args, string name) { int i = Array.IndexOf(args, name); return i >= 0 && i + 1 < args.Length ? args[i + 1] : null; }
    static int Int(string[] args, string name, int dflt) => Arg(args, name) is { } s ? int.Parse(s) : dflt;
}
