using System.Diagnostics;
using Smitin.IO;
using Smitin.Models;
using Smitin.Models.Codec;
using TorchSharp;

namespace Smitin.Bench;

/// <summary>
/// EnCodec: <c>codec [MODEL_DIR] [--seconds 5,30] [--compare [--tiles 8192,16384]] [--profile]</c>. Times encode and decode of a synthetic signal per duration
/// (2 threads; real-time factor, load average). Without a folder the codec is a random one of
/// <c>facebook/encodec_32khz</c> shapes (32 kHz mono, 64 filters, hidden 128, ratios 8-5-4-4, 2-layer LSTM,
/// 4 x 2048 codebooks of dim 128; see <see cref="Encodec32kHz"/>); timing depends on the shapes only. When the folder
/// holds a fixture's reference.safetensors, prints the max |diff| per tensor too.
/// </summary>
static class CodecBench
{
    public static int Run(string[] args)
    {
        Smitin.Native.TorchRuntime.Ensure();
        torch.set_num_threads(2);
        string? dir = args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal) ? args[0] : null;
        int si = Array.IndexOf(args, "--seconds");
        var durations = (si >= 0 && si + 1 < args.Length ? args[si + 1] : dir is null ? "5,30" : "10")
            .Split(',').Select(x => double.Parse(x, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        using var codec = dir is null ? RandomCodec() : LoadCodec(dir);
        Console.WriteLine($"codec bench: {(dir ?? "random encodec_32khz shapes")}, {codec.SampleRate} Hz, hop {codec.HopLength}, {codec.NumCodebooks} codebooks x {codec.CodebookSize}, " +
            $"{torch.get_num_threads()} threads, libtorch {torch.__version__}");

        if (dir is not null && File.Exists(Path.Combine(dir, "reference.safetensors")))
        {
            using var r = SafeTensorsFile.Open(Path.Combine(dir, "reference.safetensors"));
            using var scope = torch.NewDisposeScope();
            var x = r.Read("encodec.input_values");
            var codes = r.Read("encodec.audio_codes")[0];
            Report("encodec.embeddings", r.Read("encodec.embeddings"), codec.Embed(x));
            Report("encodec.quantized", r.Read("encodec.quantized"), codec.Quantized(codes));
            Report("encodec.audio_values", r.Read("encodec.audio_values"), codec.Decode(codes));
            long wrong = codec.Encode(x).ne(codes).sum().item<long>();
            Console.WriteLine($"encodec.audio_codes: {wrong} of {codes.numel()} codes differ");
        }

        using (var warm = torch.NewDisposeScope()) codec.Decode(codec.Encode(Signal(codec, 1.0)));   // warm-up
        foreach (double seconds in durations)
        {
            using var scope = torch.NewDisposeScope();
            var audio = Signal(codec, seconds);
            var sw = Stopwatch.StartNew();
            var c = codec.Encode(audio);
            double enc = sw.Elapsed.TotalSeconds;
            sw.Restart();
            codec.Decode(c);
            double dec = sw.Elapsed.TotalSeconds;
            Console.WriteLine($"{seconds:F1} s audio, {c.shape[1]} codebooks x {c.shape[2]} frames: encode {enc:F3} s ({seconds / enc:F1}x real time), " +
                $"decode {dec:F3} s ({seconds / dec:F1}x real time); load average {DecodeBench.LoadAverage()}");
        }
        int ti = Array.IndexOf(args, "--tiles");
        int[] tiles = ti >= 0 && ti + 1 < args.Length ? args[ti + 1].Split(',').Select(int.Parse).ToArray() : [EncodecDecoder.DefaultTileSamples];
        if (args.Contains("--compare")) Compare(codec, durations[0], tiles);
        if (args.Contains("--profile")) Profile(codec, durations[0]);
        return 0;
    }

    /// <summary>
    /// Decode of <paramref name="seconds"/> with the decoder's time tiles against one pass over the whole piece
    /// (<see cref="EncodecDecoder.DefaultTileSamples"/> vs untiled), interleaved, 5 rounds after a warm-up: min wall
    /// time and process CPU time of each (CPU time counts this process's work only, so it is the steadier figure on a
    /// loaded machine).
    /// </summary>
    static void Compare(EncodecModel codec, double seconds, int[] tiles)
    {
        using var scope = torch.NewDisposeScope();
        var codes = codec.Encode(Signal(codec, seconds));
        (string Name, int Tile)[] variants = [("one pass", 0), .. tiles.Select(t => ($"tiles of {t}", t))];
        var wall = variants.ToDictionary(v => v.Name, _ => double.PositiveInfinity);
        var cpu = variants.ToDictionary(v => v.Name, _ => double.PositiveInfinity);
        torch.Tensor? reference = null;
        double maxDiff = 0;
        for (int round = 0; round < 6; round++)
            foreach (var (name, tile) in variants)
            {
                codec.Decoder.PlanTiles(tile);
                using var inner = torch.NewDisposeScope();
                var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
                var sw = Stopwatch.StartNew();
                var audio = codec.Decode(codes);
                double w = sw.Elapsed.TotalSeconds, c = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
                if (round > 0) { wall[name] = Math.Min(wall[name], w); cpu[name] = Math.Min(cpu[name], c); }
                if (reference is null) reference = audio.MoveToOuterDisposeScope();
                else maxDiff = Math.Max(maxDiff, (audio - reference).abs().max().item<float>());
            }
        codec.Decoder.PlanTiles(EncodecDecoder.DefaultTileSamples);
        Console.WriteLine($"decode {seconds:F1} s, min of 5 interleaved rounds (default tiles from layer {codec.Decoder.TileStart}, margin {codec.Decoder.Margin}):");
        foreach (var (name, _) in variants)
            Console.WriteLine($"  {name,-36} wall {wall[name]:F3} s, process CPU {cpu[name]:F3} s, ratio to the first: wall {wall[variants[0].Name] / wall[name]:F2}x, CPU {cpu[variants[0].Name] / cpu[name]:F2}x");
        Console.WriteLine($"  max |difference| to the first {maxDiff:E2}; load average {DecodeBench.LoadAverage()}");
        double flops = DecoderFlops(codec, codes.shape[2]), gemm = GemmRate();
        Console.WriteLine($"  compute floor: {flops / 1e9:F1} GFLOP of convolutions and LSTM products / {gemm / 1e9:F1} GFLOP/s (sgemm 1024x1024x4096, " +
            $"same run) = {flops / gemm:F3} s; tiled decode = {wall[variants[^1].Name] / (flops / gemm):F2}x the floor (wall); load average {DecodeBench.LoadAverage()}");
    }

    /// <summary>Per-layer time of the SEANet decoder on <paramref name="seconds"/> of codes (each layer's output feeds
    /// the next); the tiled layers as one line.</summary>
    static void Profile(EncodecModel codec, double seconds)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var codes = codec.Encode(Signal(codec, seconds));
        var sw = Stopwatch.StartNew();
        var h = codec.Quantized(codes);
        Console.WriteLine($"decode profile, {seconds:F1} s: quantizer {sw.Elapsed.TotalMilliseconds:F1} ms");
        var layers = codec.Decoder.Layers;
        for (int i = 0; i < codec.Decoder.TileStart; i++)
        {
            var layer = layers[i];
            var shape = string.Join("x", h.shape);
            sw.Restart();
            h = layer.call(h);
            Console.WriteLine($"  {sw.Elapsed.TotalMilliseconds,8:F1} ms  {layer.GetType().Name} {shape} -> {string.Join("x", h.shape)}");
        }
        if (codec.Decoder.TileStart < layers.Count)
        {
            var shape = string.Join("x", h.shape);
            var perLayer = new double[layers.Count];
            sw.Restart();
            h = codec.Decoder.RunTiled(h, (i, ms) => perLayer[i] += ms);
            Console.WriteLine($"  {sw.Elapsed.TotalMilliseconds,8:F1} ms  layers {codec.Decoder.TileStart}-{layers.Count - 1} in tiles of {codec.Decoder.TileSamples} samples {shape} -> {string.Join("x", h.shape)}:");
            for (int i = codec.Decoder.TileStart; i < layers.Count; i++)
                Console.WriteLine($"  {perLayer[i],12:F1} ms  {i} {layers[i].GetType().Name}");
        }
    }

    /// <summary>Multiply-add FLOPs (2 per MAC) of the decoder's convolutions and LSTM products for <paramref name="frames"/> frames.</summary>
    static double DecoderFlops(EncodecModel codec, long frames)
    {
        double flops = 0;
        long t = frames;                                                         // time steps at the current layer's resolution
        foreach (var layer in codec.Decoder.Layers)
        {
            var weights = layer.named_parameters().Where(p => p.name.EndsWith("weight", StringComparison.Ordinal) || p.name.Contains("weight_", StringComparison.Ordinal)).Select(p => p.parameter.numel());
            flops += 2.0 * weights.Sum() * t;                                    // conv: C_out·C_in·K MACs per output step; LSTM: per step
            if (layer is EncodecConvTranspose1d ct) t *= ct.Stride;              // transposed conv: MACs per input step, counted above
        }
        return flops;
    }

    /// <summary>FLOP/s of one float32 matrix product (1024 x 1024) x (1024 x 4096), fastest of 3 after a warm-up.</summary>
    static double GemmRate()
    {
        using var scope = torch.NewDisposeScope();
        var a = torch.randn(1024, 1024); var b = torch.randn(1024, 4096);
        double best = double.PositiveInfinity;
        for (int i = 0; i < 4; i++)
        {
            var sw = Stopwatch.StartNew();
            using (a.matmul(b)) { }
            if (i > 0) best = Math.Min(best, sw.Elapsed.TotalSeconds);
        }
        return 2.0 * 1024 * 1024 * 4096 / best;
    }

    static EncodecModel LoadCodec(string dir)
    {
        var config = MusicGenConfig.Load(dir);
        using var ckpt = Checkpoint.Open(dir);
        return EncodecModel.Load(ckpt, config.AudioEncoder);
    }

    /// <summary><c>facebook/encodec_32khz</c>'s config.json values (the codec of every MusicGen checkpoint).</summary>
    static EncodecConfig Encodec32kHz => new(SamplingRate: 32000, AudioChannels: 1, NumFilters: 64, HiddenSize: 128, CodebookDim: 128,
        CodebookSize: 2048, UpsamplingRatios: [8, 5, 4, 4], TargetBandwidths: [2.2], NumLstmLayers: 2, NumResidualLayers: 1, KernelSize: 7,
        LastKernelSize: 7, ResidualKernelSize: 3, DilationGrowthRate: 2, Compress: 2, UseCausalConv: false, PadMode: "reflect",
        NormType: "weight_norm", Normalize: false, UseConvShortcut: false, ChunkLengthS: null);

    /// <summary>A codec of encodec_32khz shapes: the modules' default (kaiming) init, codebooks ~ N(0, 1).</summary>
    static EncodecModel RandomCodec()
    {
        torch.manual_seed(0);
        var codec = new EncodecModel(Encodec32kHz);
        using var noGrad = torch.no_grad();
        foreach (var (name, t) in codec.state_dict())
            if (name.EndsWith("codebook.embed", StringComparison.Ordinal)) t.copy_(torch.randn(t.shape));
        return codec;
    }

    /// <summary>(1, 1, n) a 220 Hz tone plus a little noise.</summary>
    static torch.Tensor Signal(EncodecModel codec, double seconds)
    {
        long n = (long)(seconds * codec.SampleRate);
        var t = torch.arange(n, dtype: torch.float32) / codec.SampleRate;
        return (0.3f * torch.sin(2 * Math.PI * 220 * t) + 0.05f * torch.randn(n)).reshape(1, 1, n);
    }

    static void Report(string name, torch.Tensor expected, torch.Tensor actual)
    {
        double maxDiff = (expected - actual).abs().max().item<float>();
        double absMax = expected.abs().max().item<float>();
        Console.WriteLine($"{name}: max |diff| {maxDiff:E2} (absmax {absMax:F3})");
    }
}
