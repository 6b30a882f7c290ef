using System.Diagnostics;
using Smitin.IO;
using Smitin.Models;
using Smitin.Models.Codec;
using TorchSharp;

namespace Smitin.Bench;

/// <summary>
/// EnCodec: <c>codec MODEL_DIR [seconds]</c>. Times encode and decode of a synthetic signal (real-time factor,
/// 2 threads) and, when the folder holds a fixture's reference.safetensors, prints the max |diff| per tensor.
/// </summary>
static class CodecBench
{
    public static int Run(string[] args)
    {
        if (args.Length < 1) { Console.Error.WriteLine("usage: codec MODEL_DIR [seconds]"); return 2; }
        Smitin.Native.TorchRuntime.Ensure();
        torch.set_num_threads(2);
        string dir = args[0];
        double seconds = args.Length > 1 ? double.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 10;
        var config = MusicGenConfig.Load(dir);
        using var ckpt = Checkpoint.Open(dir);
        using var codec = EncodecModel.Load(ckpt, config.AudioEncoder);

        string refPath = Path.Combine(dir, "reference.safetensors");
        if (File.Exists(refPath))
        {
            using var r = SafeTensorsFile.Open(refPath);
            using var scope = torch.NewDisposeScope();
            var x = r.Read("encodec.input_values");
            var codes = r.Read("encodec.audio_codes")[0];
            Report("encodec.embeddings", r.Read("encodec.embeddings"), codec.Embed(x));
            Report("encodec.quantized", r.Read("encodec.quantized"), codec.Quantized(codes));
            Report("encodec.audio_values", r.Read("encodec.audio_values"), codec.Decode(codes));
            long wrong = codec.Encode(x).ne(codes).sum().item<long>();
            Console.WriteLine($"encodec.audio_codes: {wrong} of {codes.numel()} codes differ");
        }

        using (var scope = torch.NewDisposeScope())
        {
            long n = (long)(seconds * codec.SampleRate);
            var t = torch.arange(n, dtype: torch.float32) / codec.SampleRate;
            var audio = (0.3f * torch.sin(2 * Math.PI * 220 * t) + 0.05f * torch.randn(n)).reshape(1, 1, n);
            codec.Encode(audio.narrow(2, 0, Math.Min(n, codec.SampleRate))); // warm-up
            var sw = Stopwatch.StartNew();
            var c = codec.Encode(audio);
            double enc = sw.Elapsed.TotalSeconds;
            sw.Restart();
            codec.Decode(c);
            double dec = sw.Elapsed.TotalSeconds;
            Console.WriteLine($"{seconds:F1} s audio, {c.shape[1]} codebooks x {c.shape[2]} frames: encode {enc:F3} s ({seconds / enc:F1}x real time), decode {dec:F3} s ({seconds / dec:F1}x real time)");
        }
        return 0;
    }

    static void Report(string name, torch.Tensor expected, torch.Tensor actual)
    {
        double maxDiff = (expected - actual).abs().max().item<float>();
        double absMax = expected.abs().max().item<float>();
        Console.WriteLine($"{name}: max |diff| {maxDiff:E2} (absmax {absMax:F3})");
    }
}
