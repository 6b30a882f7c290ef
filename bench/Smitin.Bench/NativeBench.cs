using System.Diagnostics;
using TorchSharp;

namespace Smitin.Bench;

/// <summary>Sanity benchmark: libtorch matmul throughput on this machine (GFLOP/s), 2 threads.</summary>
static class NativeBench
{
    public static int Run(string[] args)
    {
        Smitin.Native.TorchRuntime.Ensure();
        torch.set_num_threads(2);
        using var a = torch.randn(1024, 1024);
        using var b = torch.randn(1024, 1024);
        for (int i = 0; i < 3; i++) using (a.matmul(b)) { }
        var sw = Stopwatch.StartNew();
        const int n = 20;
        for (int i = 0; i < n; i++) using (a.matmul(b)) { }
        double ms = sw.Elapsed.TotalMilliseconds / n;
        Console.WriteLine($"matmul 1024^3: {ms:F1} ms ({2.0 * 1024 * 1024 * 1024 / (ms * 1e6):F0} GFLOP/s), native: {Smitin.Native.TorchRuntime.Status}");
        return 0;
    }
}
