using System.Diagnostics;
using System.Globalization;
using Smitin.Generation;
using Smitin.Models;
using Smitin.Models.Decoder;
using TorchSharp;
using static TorchSharp.torch;

namespace Smitin.Bench;

/// <summary>
/// Batched generation throughput: <c>throughput [--batches 1,4,16,64] [--steps 8] [--model all|small|default|DIR] [--threads 2]</c>.
///
/// For each batch B, text-to-music generation with guidance (2B decoder rows, top-k 250, a random 20-position text
/// memory) runs <c>steps</c> decode steps after the prefill; the median step time gives frames/s = B / step
/// (each step completes one frame per item once the delay pattern is full). Next to it, two floors measured in the
/// same run: the weight-read floor (matrix-vector over the matrices a step reads, 1 row) and the compute floor
/// (the step's matrix-product FLOPs, 2 · rows · parameters read, over the GEMM rate measured with a 1024³ matmul).
/// Models: musicgen-small shapes (random weights, as <c>decode</c>) and the default model
/// (models/smitin-synth-small, loaded from the repository).
/// </summary>
static class ThroughputBench
{
    public static int Run(string[] args)
    {
        int steps = Int(args, "--steps", 8), threads = Int(args, "--threads", 2);
        var batches = (Arg(args, "--batches") ?? "1,4,16,64").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        string which = Arg(args, "--model") ?? "all";
        Smitin.Native.TorchRuntime.Ensure();
        torch.set_num_threads(threads);
        Console.WriteLine($"throughput bench: {threads} threads, libtorch {torch.__version__}, guidance 3 (2B rows), top-k 250, {steps} timed steps per batch; load average {DecodeBench.LoadAverage()}");

        if (which is "all" or "small")
        {
            var config = new DecoderConfig(VocabSize: 2048, HiddenSize: 1024, NumHiddenLayers: 24, NumAttentionHeads: 16, FfnDim: 4096,
                NumCodebooks: 4, AudioChannels: 1, MaxPositionEmbeddings: 2048, ActivationFunction: "gelu", ScaleEmbedding: false,
                PadTokenId: 2048, BosTokenId: 2048);
            torch.manual_seed(0);
            using var lm = new MusicGenLm(config);
            Measure("musicgen-small shapes (random weights)", lm, 2048, 50, batches, steps);
        }
        if (which is not "small")
        {
            string dir = which is "all" or "default" ? FindDefaultModel() : which;
            using var model = MusicGen.Load(dir, new MusicGenLoadOptions { Log = _ => { } });
            Measure($"{Path.GetFileName(dir.TrimEnd('/'))} ({dir})", model.Decoder, model.Config.DecoderStartTokenId, model.Config.AudioEncoder.FrameRate, batches, steps);
        }
        return 0;
    }

    static void Measure(string name, MusicGenLm lm, int startToken, double frameRate, int[] batches, int steps)
    {
        var c = lm.Config;
        long stepParams = lm.StepWeights().Sum(w => w.numel());
        Console.WriteLine($"== {name}: {c.NumHiddenLayers} layers x {c.HiddenSize}, {c.NumCodebooks} x {c.VocabSize} codes, {stepParams / 1e6:F0} M parameters read per step, {frameRate:0.#} frames/s of audio");
        double gflops = GemmRate();
        var generator = new CodeGenerator(lm, startToken, frameRate);
        foreach (int b in batches)
        {
            using var scope = torch.NewDisposeScope();
            var memory = torch.randn(b, 20, c.HiddenSize) * 0.1f;                       // (B, 20, D) projected text states
            var mask = torch.ones(b, 20, ScalarType.Int64);
            var options = new GenerationOptions { MaxNewTokens = steps + 3, Seed = 1, GuidanceScale = 3 };
            using (generator.Generate(memory, mask, null, options with { MaxNewTokens = 2 * c.NumCodebooks })) { } // warm-up (allocator, kernel choice for 2B rows)
            var stepMs = new List<double>();
            var sw = Stopwatch.StartNew();
            using (generator.Generate(memory, mask, null, options, new Recorder(_ => { stepMs.Add(sw.Elapsed.TotalMilliseconds); sw.Restart(); }))) { }
            var timed = stepMs.Skip(3).OrderBy(x => x).ToArray();                        // after the prefill and two steps
            double median = timed[timed.Length / 2];
            double floorRead = WeightReadFloor(lm);
            int rows = 2 * b;
            double flops = 2.0 * rows * stepParams;
            double floorCompute = flops / (gflops * 1e6);                                 // ms
            string kernel = rows <= DecodeKernelSelector.MaxRows ? lm.DecodeKernels.KernelFor(rows).Name() : "linear (GEMM)";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"batch {b,3} ({rows,3} rows, {kernel}): step {median,8:F1} ms = {b / (median / 1000),7:F1} frames/s ({b / (median / 1000) / frameRate,5:F2}x real time) | " +
                $"compute floor {floorCompute,7:F1} ms ({flops / 1e9:F1} GFLOP at {gflops:F0} GFLOP/s), weight-read floor {floorRead,6:F1} ms; step / max(floors) {median / Math.Max(floorCompute, floorRead):F2}; load {DecodeBench.LoadAverage()}"));
        }
    }

    /// <summary>GFLOP/s of a 1024³ float32 matmul (the best of 5 after a warm-up), this run's GEMM rate.</summary>
    static double GemmRate()
    {
        using var scope = torch.NewDisposeScope();
        var a = torch.randn(1024, 1024); var b = torch.randn(1024, 1024);
        a.matmul(b);
        double best = double.MaxValue;
        for (int i = 0; i < 5; i++)
        {
            var sw = Stopwatch.StartNew();
            using (a.matmul(b)) { }
            best = Math.Min(best, sw.Elapsed.TotalMilliseconds);
        }
        double rate = 2.0 * 1024 * 1024 * 1024 / (best * 1e6);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"GEMM rate (1024^3 float32 matmul, best of 5): {rate:F0} GFLOP/s"));
        return rate;
    }

    /// <summary>ms of one matrix-vector pass over the matrices a step reads (the best of 3).</summary>
    static double WeightReadFloor(MusicGenLm lm)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var weights = lm.StepWeights();
        var inputs = weights.Select(w => w.shape[1]).Distinct().ToDictionary(n => n, n => torch.randn(n));
        double best = double.MaxValue;
        for (int i = 0; i < 3; i++)
        {
            var sw = Stopwatch.StartNew();
            foreach (var w in weights) using (w.mv(inputs[w.shape[1]])) { }
            best = Math.Min(best, sw.Elapsed.TotalMilliseconds);
        }
        return best;
    }

    static string FindDefaultModel()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            string c = Path.Combine(d.FullName, "models", "smitin-synth-small");
            if (File.Exists(Path.Combine(c, "model.safetensors"))) return c;
        }
        throw new SmitinException("models/smitin-synth-small not found above the bench binary; pass --model DIR");
    }

    static string? Arg(string[] args, string name) { int i = Array.IndexOf(args, name); return i >= 0 && i + 1 < args.Length ? args[i + 1] : null; }
    static int Int(string[] args, string name, int fallback) => Arg(args, name) is { } s ? int.Parse(s, CultureInfo.InvariantCulture) : fallback;

    sealed class Recorder(Action<GenerationProgress> onReport) : IProgress<GenerationProgress>
    {
        public void Report(GenerationProgress value) => onReport(value);
    }
}
