using System.Diagnostics;
using Smitin.Audio;
using Smitin.Data;
using Smitin.Models;
using Smitin.Probing;
using TorchSharp;

namespace Smitin.Bench;

/// <summary>
/// <c>probes [--heads 1536] [--examples 1000] [--dim 64] [--solver mlnet|newton] [--tol 1e-7] [--segments 32]
/// [--batch 8] [--seconds 3] [--skip-train] [--skip-capture]</c>:
/// (1) trains one probe per head on synthetic activations with a planted direction per head (N training rows, N/4
/// validation rows) and reports the time; (2) captures activations of synthetic 3 s segments with a random
/// musicgen-small-shaped model (<see cref="RandomSmallModel"/>) and reports segments/s.
/// </summary>
static class ProbesBench
{
    public static int Run(string[] args)
    {
        Smitin.Native.TorchRuntime.Ensure();
        if (!args.Contains("--skip-train")) Train(args);
        if (!args.Contains("--skip-capture")) Capture(args);
        return 0;
    }

    static void Train(string[] args)
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
    }

    static void Capture(string[] args)
    {
        int segments = Int(args, "--segments", 32), batch = Int(args, "--batch", 8);
        double seconds = double.Parse(Arg(args, "--seconds") ?? "3", System.Globalization.CultureInfo.InvariantCulture);
        string fixture = Arg(args, "--fixture") ?? FindFixture();
        string dir = RandomSmallModel.Ensure(fixture);
        using var model = MusicGen.Load(dir, new MusicGenLoadOptions { Log = _ => { } });
        var cfg = model.Config.Decoder;
        var rng = new Random(3);
        var clips = Enumerable.Range(0, segments).Select(i =>
        {
            int n = (int)(seconds * model.SampleRate);
            var x = new float[n];
            for (int k = 0; k < 3; k++)
            {
                double hz = 110 * Math.Pow(2, rng.Next(36) / 12.0);
                for (int t = 0; t < n; t++) x[t] += (float)(0.15 * Math.Sin(2 * Math.PI * hz * t / model.SampleRate));
            }
            return new Segment(AudioClip.Mono(x, model.SampleRate), i % 2 == 0, $"t{i}", 0, "bench");
        }).ToList();
        var capture = new ActivationCapture(model, CaptureOptions.Uncached with { BatchSize = batch });
        capture.Capture(clips.Take(2));                                       // warm-up

        // The two halves alone, on one batch each (after the warm-up above).
        double encodePerSegment, decoderPerSegment;
        using (var scope = torch.NewDisposeScope())
        {
            var audio = torch.stack(clips.Take(batch).Select(c => c.Audio.ToTensor()).ToArray());   // (B, 1, T)
            var t0 = Stopwatch.StartNew();
            var codes = model.EncodeAudio(audio);                                                    // (B, K, F)
            encodePerSegment = t0.Elapsed.TotalSeconds / batch;
            t0.Restart();
            capture.CaptureCodes(codes);
            decoderPerSegment = t0.Elapsed.TotalSeconds / batch;
        }
        var sw = Stopwatch.StartNew();
        var z = capture.Capture(clips);
        double total = sw.Elapsed.TotalSeconds;
        Console.WriteLine($"capture: {segments} segments x {seconds:0.#} s, batch {batch}, decoder {cfg.NumHiddenLayers} layers x {cfg.NumAttentionHeads} heads x {cfg.HeadDim} " +
            $"(hidden {cfg.HiddenSize}), {torch.get_num_threads()} threads: {total:F2} s = {segments / total:F2} segments/s " +
            $"(alone: EnCodec encode {encodePerSegment * 1000:F0} ms/segment, decoder forward {decoderPerSegment * 1000:F0} ms/segment); z {z.Count} x {z.RowLength} floats; load average {LoadAverage()}");
    }

    internal static string FindFixture()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            foreach (var c in new[] { Path.Combine(d.FullName, "shared", "fixtures", "musicgen-tiny-mono"), Path.Combine(d.FullName, "..", "shared", "fixtures", "musicgen-tiny-mono") })
                if (Directory.Exists(c)) return Path.GetFullPath(c);
        throw new SmitinException("fixture musicgen-tiny-mono not found; pass --fixture DIR");
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
