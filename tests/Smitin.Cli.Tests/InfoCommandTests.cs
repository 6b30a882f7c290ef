using System.Diagnostics;
using Smitin.Models.Decoder;
using Smitin.Native;
using Smitin.Tests.Support;

namespace Smitin.Tests.Cli;

/// <summary><c>smitin info</c> says which decode kernel this CPU uses and why (child process; the cache is a temp folder).</summary>
public class InfoCommandTests
{
    static async Task<(int Exit, string Out, string Err)> RunInfo(string cacheDir, string? kernel)
    {
        var psi = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "smitin.dll"));
        psi.ArgumentList.Add("info");
        psi.Environment["SMITIN_CACHE"] = cacheDir;
        if (kernel is null) psi.Environment.Remove(DecodeKernelSelector.EnvironmentVariable);
        else psi.Environment[DecodeKernelSelector.EnvironmentVariable] = kernel;
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    [Fact]
    public async Task Info_ReportsTheDecodeKernel_NotYetMeasured_Cached_OrOverridden()
    {
        using var cache = new TempDir();
        var (exit, output, _) = await RunInfo(cache.Path, null);
        Assert.Equal(0, exit);
        Assert.Contains($"cpu: {CpuIdentity.Current}", output);
        Assert.Contains("decode kernel: not measured on this CPU yet", output);

        // a choice measured earlier on this CPU is listed with its timings
        var file = new DecodeKernelCache(Path.Combine(cache.Path, "decode-kernels.json"));
        file.Store($"{CpuIdentity.Current} | 2 threads | libtorch x | float32 | 1024x1024 | 2 rows", new DecodeKernelCache.Entry(DecodeKernel.WeightTimesInputT,
            new Dictionary<DecodeKernel, double> { [DecodeKernel.Linear] = 12.5, [DecodeKernel.WeightTimesInputT] = 6.25 }, "2 rows x 4 of 4 matrices", 2, DateTimeOffset.UtcNow));
        file.Store("Some Other CPU [x64, flags 0] | 2 threads | libtorch x | float32 | 1024x1024 | 2 rows", new DecodeKernelCache.Entry(DecodeKernel.Linear,
            new Dictionary<DecodeKernel, double> { [DecodeKernel.Linear] = 1 }, "other", 2, DateTimeOffset.UtcNow));
        (exit, output, _) = await RunInfo(cache.Path, null);
        Assert.Equal(0, exit);
        Assert.Contains("wxt for [2 threads | libtorch x | float32 | 1024x1024 | 2 rows]: linear 12.50 ms, wxt 6.25 ms", output);
        Assert.DoesNotContain("Some Other CPU", output);

        (exit, output, _) = await RunInfo(cache.Path, "linear");
        Assert.Equal(0, exit);
        Assert.Contains("decode kernel: linear (override by SMITIN_DECODE_KERNEL=linear; not measured)", output);

        var (badExit, _, err) = await RunInfo(cache.Path, "fastest");
        Assert.Equal(1, badExit);
        Assert.Contains("SMITIN_DECODE_KERNEL: unknown decode kernel 'fastest'; expected auto, linear, wxt or mv", err);
        Assert.DoesNotContain("   at ", err);
    }
}
