using System.CommandLine;
using Smitin.Models.Decoder;
using Smitin.Native;
using TorchSharp;

namespace Smitin.Cli;

/// <summary><c>smitin info</c>: versions, native loading status, threads.</summary>
static class InfoCommand
{
    public static Command Create()
    {
        var cmd = new Command("info", "Print TorchSharp/libtorch versions and how the native library was loaded.");
        cmd.SetAction((_, _) => CliRunner.Guard(() =>
        {
            TorchRuntime.Ensure();
            Console.WriteLine($"smitin {typeof(TorchRuntime).Assembly.GetName().Version}");
            Console.WriteLine($"libtorch {torch.__version__}, threads {torch.get_num_threads()}, cuda available: {torch.cuda.is_available()}");
            Console.WriteLine($"native: {TorchRuntime.Status}");
            Console.WriteLine($"cache: {CacheDirs.Root}");
            foreach (var line in DecodeKernelLines()) Console.WriteLine(line);
            return Task.FromResult(0);
        }));
        return cmd;
    }

    /// <summary>
    /// The decode kernel this CPU uses: the override if <c>SMITIN_DECODE_KERNEL</c> is set, else the choices measured
    /// earlier on this CPU model (per model shapes and row bucket, from the cache file), else a note that the first
    /// model load measures them.
    /// </summary>
    static IEnumerable<string> DecodeKernelLines()
    {
        string cpu = CpuIdentity.Current;
        yield return $"cpu: {cpu}";
        string? env = Environment.GetEnvironmentVariable(DecodeKernelSelector.EnvironmentVariable);
        var forced = DecodeKernels.Parse(env, $"environment variable {DecodeKernelSelector.EnvironmentVariable}");
        if (forced is { } k)
        {
            yield return $"decode kernel: {k.Name()} (override by {DecodeKernelSelector.EnvironmentVariable}={env!.Trim()}; not measured)";
            yield break;
        }
        var cache = DecodeKernelCache.Default;
        var mine = cache.ReadAll().Where(e => e.Key.StartsWith(cpu + " |", StringComparison.Ordinal)).ToList();
        if (mine.Count == 0)
        {
            yield return $"decode kernel: not measured on this CPU yet (the first model load times {string.Join(", ", DecodeKernels.All.Select(x => x.Name()))} and caches the choice in {cache.Path}; {DecodeKernelSelector.EnvironmentVariable} overrides)";
            yield break;
        }
        yield return $"decode kernel, measured on this CPU ({cache.Path}; {DecodeKernelSelector.EnvironmentVariable} overrides):";
        foreach (var (key, e) in mine)
        {
            string times = string.Join(", ", e.Milliseconds.OrderBy(kv => kv.Key).Select(kv => FormattableString.Invariant($"{kv.Key.Name()} {kv.Value:F2} ms")));
            yield return $"  {e.Kernel.Name()} for [{key[(cpu.Length + 3)..]}]: {times} ({e.Sample}; {e.MeasuredAt:yyyy-MM-dd HH:mm} UTC)";
        }
    }
}
