using Smitin.Generation;
using Smitin.Models;
using TorchSharp;

namespace Smitin.Bench;

/// <summary>
/// Resident memory by stage: <c>memory [MODEL_DIR] [--steps 30] [--parts]</c>. Prints RssAnon / RssFile / VmHWM
/// (<c>/proc/self/status</c>) and the managed heap after runtime start, loading, a full GC, every 10 decoder steps of
/// a text generation (<c>--steps</c>), and decoding. <c>--parts</c> instead loads and disposes text, codec and decoder
/// one at a time. Without a folder it uses the random musicgen-small-shaped model (<see cref="RandomSmallModel"/>).
/// Peak RSS of a real run: <c>/usr/bin/time -v smitin generate ...</c> (docs/generation.md, "Memory").
/// </summary>
static class MemoryBench
{
    static void Rss(string what)
    {
        var fields = File.ReadAllLines("/proc/self/status")
            .Where(l => l.StartsWith("RssAnon", StringComparison.Ordinal) || l.StartsWith("RssFile", StringComparison.Ordinal) || l.StartsWith("VmHWM", StringComparison.Ordinal))
            .Select(l => string.Join(" ", l.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)));
        Console.WriteLine($"{what,-24} {string.Join(" | ", fields)} | managed {GC.GetTotalMemory(false) / 1e6:F0} MB | load average {DecodeBench.LoadAverage()}");
    }

    static void FullGc()
    {
        GC.Collect(); GC.WaitForPendingFinalizers(); GC.Collect();
    }

    public static int Run(string[] args)
    {
        Rss("start");
        Smitin.Native.TorchRuntime.Ensure();
        string dir = args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal) ? args[0] : RandomSmallModel.Ensure(ProbesBench.FindFixture());
        int si = Array.IndexOf(args, "--steps");
        int steps = si >= 0 && si + 1 < args.Length ? int.Parse(args[si + 1], System.Globalization.CultureInfo.InvariantCulture) : 30;
        if (args.Contains("--parts"))
        {
            foreach (var part in new[] { MusicGenParts.Text, MusicGenParts.Codec, MusicGenParts.Decoder })
            {
                using (var m = MusicGen.Load(dir, new MusicGenLoadOptions { Log = _ => { }, Parts = part })) { FullGc(); Rss($"loaded {part}"); }
                FullGc(); Rss($"disposed {part}");
            }
            return 0;
        }
        using var model = MusicGen.Load(dir, new MusicGenLoadOptions { Log = _ => { } });
        Rss("loaded");
        FullGc();
        Rss("after full GC");
        var result = model.Generate(["rock song"], new GenerationOptions { MaxNewTokens = steps, Seed = 1 }, decodeAudio: false,
            progress: new Progress<GenerationProgress>(p => { if (p.Step % 10 == 0) Rss($"step {p.Step}"); }));
        Rss($"generated {steps} steps");
        using var audio = model.DecodeCodes(result.Codes);
        Rss("decoded");
        return 0;
    }
}
