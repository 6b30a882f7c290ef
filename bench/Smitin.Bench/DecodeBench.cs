using System.Diagnostics;
using System.Globalization;
using Smitin.Generation;
using Smitin.Models;
using Smitin.Models.Decoder;
using TorchSharp;
using static TorchSharp.torch;

namespace Smitin.Bench;

/// <summary>
/// Decoder step at musicgen-small shapes with random weights: <c>decode [--cache 250] [--steps 20] [--threads 2]</c>.
///
/// Runs the real generation loop (<see cref="CodeGenerator"/>: guidance batch of 2 rows, top-k 250 sampling, delay
/// pattern) after a prefill of <c>cache</c> positions, and times every decode step. Between the steps it measures
/// the "weight streaming floor" (see <see cref="FloorPasses"/>): matrix-vector products over the decoder weight
/// matrices, the least time any implementation needs to read them once. Prints step / floor.
/// </summary>
static class DecodeBench
{
    public static int Run(string[] args)
    {
        int cache = Arg(args, "--cache", 250), steps = Arg(args, "--steps", 20), threads = Arg(args, "--threads", 2);
        Smitin.Native.TorchRuntime.Ensure();
        torch.set_num_threads(threads);
        // musicgen-small decoder; the text memory is a T5-base-sized output (20 tokens x 768) projected to 1024
        var config = new DecoderConfig(VocabSize: 2048, HiddenSize: 1024, NumHiddenLayers: 24, NumAttentionHeads: 16, FfnDim: 4096,
            NumCodebooks: 4, AudioChannels: 1, MaxPositionEmbeddings: 2048, ActivationFunction: "gelu", ScaleEmbedding: false,
            PadTokenId: 2048, BosTokenId: 2048);
        Console.WriteLine($"decode bench: layers {config.NumHiddenLayers}, hidden {config.HiddenSize}, heads {config.NumAttentionHeads}, ffn {config.FfnDim}, " +
            $"{config.NumCodebooks} codebooks x {config.VocabSize}, memory 20 x 768 -> {config.HiddenSize}, batch 1 with guidance (2 rows), " +
            $"KV cache {cache}, {threads} threads, libtorch {torch.__version__}");

        var sw = Stopwatch.StartNew();
        torch.manual_seed(0);
        using var lm = new MusicGenLm(config);
        Console.WriteLine($"random init: {sw.Elapsed.TotalSeconds:F1} s, {Parameters(lm) / 1e6:F0} M parameters ({Parameters(lm) * 4 / 1e9:F2} GB float32)");

        using var scope = torch.NewDisposeScope();
        Tensor memory, mask;
        using (torch.no_grad())
        {
            using var proj = nn.Linear(768, config.HiddenSize);
            memory = proj.call(torch.randn(1, 20, 768));                                   // (1, 20, 1024)
            mask = torch.ones(1, 20, ScalarType.Int64);
        }
        var prompt = torch.randint(0, config.VocabSize, [1, config.NumCodebooks, cache - 1], ScalarType.Int64); // prefill = start + prompt = cache

        // Warm-up (allocator, kernels), then the measured generation. The floor passes run between the decode steps
        // (in the progress callback, outside the step's timing), so a machine whose load changes during the run
        // affects both alike.
        var generator = new CodeGenerator(lm, config.BosTokenId, 50);
        using (generator.Generate(memory, mask, prompt.narrow(2, 0, 8), new GenerationOptions { MaxNewTokens = 4, Seed = 1 })) { }
        var floors = new FloorPasses(lm);
        floors.RunAll();                                                                    // warm-up
        var stepMs = new List<double>();
        var sinceCallback = Stopwatch.StartNew();
        using (generator.Generate(memory, mask, prompt, new GenerationOptions { MaxNewTokens = steps + 1, Seed = 1 },
                   new Recorder(_ => { stepMs.Add(sinceCallback.Elapsed.TotalMilliseconds); floors.RunAll(); sinceCallback.Restart(); }))) { }
        foreach (var c in lm.DecodeKernels.Choices) Console.WriteLine(c.Describe(lm.DecodeKernels.Cpu));
        double prefillMs = stepMs[0];
        var decode = stepMs.Skip(1).ToArray();

        double median = Median(decode);
        double floorVector = Median([.. floors.Vector]), floorTwoRows = Median([.. floors.TwoRows]), floorAll = Median([.. floors.AllMatrices]),
            floorStreaming = Median([.. floors.Streaming]), floorRowwise = Median([.. floors.Rowwise]);
        Console.WriteLine($"prefill of {cache} positions (2 rows): {prefillMs:F0} ms");
        Console.WriteLine($"decode step, median of {decode.Length}: {median:F1} ms  [min {decode.Min():F1}, max {decode.Max():F1}]  (forward + guidance + top-k sampling + pattern)");
        Console.WriteLine($"floor A, matrix-vector over the matrices a step reads (1 row): {floorVector:F1} ms  [min {floors.Vector.Min():F1}]");
        Console.WriteLine($"floor B, libtorch linear over the same matrices with the step's 2 rows: {floorTwoRows:F1} ms  [min {floors.TwoRows.Min():F1}]");
        Console.WriteLine($"floor C, matrix-vector over every decoder matrix incl. cross k/v: {floorAll:F1} ms");
        Console.WriteLine($"floor D, W x X^T over the matrices a step reads with the 2 rows: {floorStreaming:F1} ms  [min {floors.Streaming.Min():F1}]");
        Console.WriteLine($"floor E, one matrix-vector product per row (2 rows): {floorRowwise:F1} ms  [min {floors.Rowwise.Min():F1}]");
        Console.WriteLine(FormattableString.Invariant($"ratio step / floor A: {median / floorVector:F2} (target <= 1.5); / B {median / floorTwoRows:F2}; / C {median / floorAll:F2}; / D {median / floorStreaming:F2}; / E {median / floorRowwise:F2}"));

        // where the step's time goes: each part alone, a step's worth, same process
        var parts = new StepProfile(lm, rows: 2, batch: 1, kvLength: cache, memoryLength: 20).Run();
        Console.WriteLine("per-part timing of a step (each part alone, median of 9):");
        foreach (var (part, ms) in parts) Console.WriteLine(FormattableString.Invariant($"  {ms,8:F2} ms  {part}"));
        double sum = parts.Where(p => !p.Part.StartsWith("  (", StringComparison.Ordinal)).Sum(p => p.Ms);
        Console.WriteLine(FormattableString.Invariant($"  {sum,8:F2} ms  sum of parts; step - sum = {median - sum:F1} ms (dispatch, dispose scopes, allocation, hooks, interference)"));
        Console.WriteLine(FormattableString.Invariant($"  {sum - parts[0].Ms,8:F2} ms  everything but the weight products ({(sum - parts[0].Ms) / median * 100:F0} % of the step)"));
        Console.WriteLine($"load average {LoadAverage()}");

        if (args.Contains("--compare-bf16"))
        {
            // the same model with its matrices in bfloat16 (MusicGenLoadOptions.DType), same prompt and seed, same process
            long bytes = lm.UseWeightType(ScalarType.BFloat16);
            using (generator.Generate(memory, mask, prompt.narrow(2, 0, 8), new GenerationOptions { MaxNewTokens = 4, Seed = 1 })) { } // warm-up, kernel choice
            var bf = new FloorPasses(lm);
            bf.RunAll();
            var bfMs = new List<double>();
            sinceCallback.Restart();
            using (generator.Generate(memory, mask, prompt, new GenerationOptions { MaxNewTokens = steps + 1, Seed = 1 },
                       new Recorder(_ => { bfMs.Add(sinceCallback.Elapsed.TotalMilliseconds); bf.RunAll(); sinceCallback.Restart(); }))) { }
            double bfMedian = Median([.. bfMs.Skip(1)]), bfFloor = Median([.. bf.Vector]);
            foreach (var c in lm.DecodeKernels.Choices) Console.WriteLine("bfloat16: " + c.Describe(lm.DecodeKernels.Cpu));
            Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"bfloat16 weights ({bytes / 1e9:F2} GB of matrices): decode step median {bfMedian:F1} ms [min {bfMs.Skip(1).Min():F1}], floor A (bf16 matrix-vector) {bfFloor:F1} ms; " +
                $"float32 step / bfloat16 step = {median / bfMedian:F2} (target >= 1.7); bf16 step / bf16 floor A {bfMedian / bfFloor:F2}; load average {LoadAverage()}"));
        }
        return 0;
    }

    /// <summary>
    /// One timed pass each over the weight matrices: A = matrix-vector (1 row) over the matrices a step reads (self
    /// q/k/v/out, cross q/out, fc1, fc2, LM heads; cross k/v are computed once at prefill); B = <c>linear</c> with 2
    /// rows over the same; C = matrix-vector over every matrix (cross k/v included); D = W · Xᵀ with the 2 rows over
    /// the matrices a step reads (the kernel <see cref="DecoderLinear"/> uses; it can use every thread, which
    /// libtorch's matrix-vector product does not).
    /// </summary>
    sealed class FloorPasses
    {
        readonly List<Tensor> _perStep = [], _all = [];
        readonly Dictionary<long, Tensor> _one = [], _two = [];
        public List<double> Vector { get; } = [];
        public List<double> TwoRows { get; } = [];
        public List<double> AllMatrices { get; } = [];
        public List<double> Streaming { get; } = [];
        public List<double> Rowwise { get; } = [];

        public FloorPasses(MusicGenLm lm)
        {
            foreach (var layer in lm.Layers)
            {
                _perStep.AddRange([layer.self_attn.q_proj.weight, layer.self_attn.k_proj.weight, layer.self_attn.v_proj.weight, layer.self_attn.out_proj.weight,
                    layer.encoder_attn!.q_proj.weight, layer.encoder_attn.out_proj.weight, layer.fc1.weight, layer.fc2.weight]);
                _all.AddRange([layer.encoder_attn!.k_proj.weight, layer.encoder_attn.v_proj.weight]);
            }
            _perStep.AddRange(lm.lm_heads.Select(h => (Tensor)h.weight));
            _all.AddRange(_perStep);
            foreach (var n in _all.Select(w => w.shape[1]).Distinct())
            {
                _one[n] = torch.randn(1, n, dtype: _all[0].dtype).DetachFromDisposeScope();
                _two[n] = torch.randn(2, n, dtype: _all[0].dtype).DetachFromDisposeScope();
            }
        }

        public void RunAll()
        {
            Vector.Add(Pass(_perStep, _one));
            TwoRows.Add(Pass(_perStep, _two));
            AllMatrices.Add(Pass(_all, _one));
            Streaming.Add(Pass(_perStep, _two, (w, x) => DecodeKernels.Multiply(DecodeKernel.WeightTimesInputT, w, x)));
            Rowwise.Add(Pass(_perStep, _two, (w, x) => DecodeKernels.Multiply(DecodeKernel.RowwiseMatrixVector, w, x)));
        }

        static double Pass(List<Tensor> weights, Dictionary<long, Tensor> inputs, Func<Tensor, Tensor, Tensor>? product = null)
        {
            product ??= (w, x) => nn.functional.linear(x, w);
            using var _ = torch.no_grad();
            var sw = Stopwatch.StartNew();
            foreach (var w in weights) using (product(w, inputs[w.shape[1]])) { }
            return sw.Elapsed.TotalMilliseconds;
        }
    }

    internal static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";

    static long Parameters(nn.Module m) => m.parameters().Sum(p => p.numel());

    static double Median(double[] xs)
    {
        var s = xs.OrderBy(x => x).ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
    }

    static int Arg(string[] args, string name, int fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }

    sealed class Recorder(Action<GenerationProgress> onReport) : IProgress<GenerationProgress>
    {
        public void Report(GenerationProgress value) => onReport(value);
    }
}
