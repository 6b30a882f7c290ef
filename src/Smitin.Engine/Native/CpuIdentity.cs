using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace Smitin.Native;

/// <summary>
/// Names the CPU model this process runs on, as a cache key for choices measured per CPU (e.g. the decode kernel,
/// <see cref="Models.Decoder.DecodeKernelSelector"/>): on Linux <c>/proc/cpuinfo</c>'s first <c>model name</c> plus a
/// short hash of its <c>flags</c> line (two machines sold under one name can differ in instruction sets, e.g. AMX);
/// elsewhere the architecture and core count.
/// </summary>
public static class CpuIdentity
{
    static readonly Lazy<string> CurrentKey = new(() => FromCpuInfo(File.Exists("/proc/cpuinfo") ? SafeRead("/proc/cpuinfo") : null));

    /// <summary>The key of this machine's CPU, e.g. <c>AMD EPYC [x86_64, flags 3f2a9c01]</c>.</summary>
    public static string Current => CurrentKey.Value;

    /// <summary>The key for a <c>/proc/cpuinfo</c> text (null: not Linux; the architecture and core count stand in).</summary>
    public static string FromCpuInfo(string? cpuinfo)
    {
        string arch = RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
        if (cpuinfo is null) return $"{arch} cpu [{Environment.ProcessorCount} cores]";
        string? model = Field(cpuinfo, "model name") ?? Field(cpuinfo, "Processor") ?? Field(cpuinfo, "cpu model");
        string flags = Field(cpuinfo, "flags") ?? Field(cpuinfo, "Features") ?? "";
        string sorted = string.Join(' ', flags.Split(' ', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));
        string hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(sorted)))[..8].ToLowerInvariant();
        return $"{model ?? "unknown cpu"} [{arch}, flags {hash}]";
    }

    /// <summary>Whether the CPU reports <paramref name="flag"/> (e.g. <c>avx512_bf16</c>, <c>amx_bf16</c>) in /proc/cpuinfo; false elsewhere.</summary>
    public static bool HasFlag(string flag)
    {
        string? info = File.Exists("/proc/cpuinfo") ? SafeRead("/proc/cpuinfo") : null;
        string flags = info is null ? "" : Field(info, "flags") ?? "";
        return flags.Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains(flag, StringComparer.Ordinal);
    }

    static string? Field(string text, string name)
    {
        foreach (var line in text.Split('\n'))
        {
            int colon = line.IndexOf(':');
            if (colon > 0 && line[..colon].Trim() == name) return line[(colon + 1)..].Trim();
        }
        return null;
    }

    static string? SafeRead(string path)
    {
        try { return File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }
}
