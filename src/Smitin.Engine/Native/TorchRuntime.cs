using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using TorchSharp;

namespace Smitin.Native;

/// <summary>
/// Makes TorchSharp's native library load on systems whose libstdc++ predates GCC 13 (Debian 12).
///
/// libLibTorchSharp.so asks for <c>GLIBCXX_3.4.32</c> only through a cosmetic version need. When the
/// process's C++ runtime lacks that version, this class writes a copy with the need marked weak into a
/// user cache directory (never next to the packages), preloads libtorch's own natives by full path
/// (so a system libtorch found by bare name can never win) and routes TorchSharp's
/// <c>DllImport("LibTorchSharp")</c> to the patched copy. On systems that have the version it does nothing.
/// It runs automatically when the engine assembly loads; calling <see cref="Ensure"/> again is free.
/// </summary>
public static class TorchRuntime
{
    const string NeededVersion = "GLIBCXX_3.4.32";
    static readonly object Gate = new();
    static bool _done;
    static IntPtr _patchedHandle;

    /// <summary>What the loader did, for logs and diagnostics.</summary>
    public static string Status { get; private set; } = "not initialised";

    [ModuleInitializer]
    internal static void OnEngineLoad() => Ensure();

    /// <summary>Idempotent. Call before the first <c>torch.*</c> call in a host that does not load the engine first.</summary>
    public static void Ensure()
    {
        lock (Gate)
        {
            if (_done) return;
            _done = true;
            try { Status = Prepare(); }
            catch (Exception e) { Status = "native preload skipped: " + e.Message; }
        }
    }

    static string Prepare()
    {
        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux) || RuntimeInformation.ProcessArchitecture != Architecture.X64)
            return "not linux-x64: nothing to do";
        PassiveOpenMpWait();
        if (CppRuntimeHas(NeededVersion))
            return $"libstdc++ provides {NeededVersion}: nothing to do";

        string? sharpLib = FindTorchSharpNative();
        if (sharpLib is null) return "libLibTorchSharp.so not found: left to TorchSharp";
        byte[] bytes = File.ReadAllBytes(sharpLib);
        if (ElfVersionNeed.Inspect(bytes, NeededVersion) != ElfVersionNeed.State.Strong)
            return $"{sharpLib} has no strong {NeededVersion} need: nothing to do";

        // libtorch natives by full path first: libLibTorchSharp's DT_NEEDED entries then resolve to them.
        string? torchDir = FindLibTorchDir(Path.GetDirectoryName(sharpLib)!);
        if (torchDir is not null)
            foreach (var lib in new[] { "libc10.so", "libtorch_cpu.so", "libtorch.so" })
            {
                string p = Path.Combine(torchDir, lib);
                if (File.Exists(p)) NativeLibrary.Load(p);
            }

        ElfVersionNeed.Weaken(bytes, NeededVersion);
        string patched = WritePatchedCopy(bytes);
        _patchedHandle = NativeLibrary.Load(patched);
        try
        {
            NativeLibrary.SetDllImportResolver(typeof(torch).Assembly, Resolve);
        }
        catch (InvalidOperationException)
        {
            // A resolver is already registered (host did it); the preloaded library is found by soname.
        }
        return $"loaded patched {patched} ({NeededVersion} need made weak)";
    }

    [DllImport("libc", EntryPoint = "malloc_trim")]
    static extern int MallocTrim(nuint pad);

    /// <summary>
    /// Hands the C heap's free memory back to the system (glibc <c>malloc_trim</c>; elsewhere nothing). Loading a model
    /// frees many read and conversion buffers whose pages the heap would otherwise keep resident while the model
    /// generates: ~40 MB at musicgen-small shapes (measured with the bench's random model). After a generation, the
    /// freed key/value caches (591 MB for 30 s at musicgen-small shapes) the same way, before the codec decodes.
    /// </summary>
    internal static void ReleaseFreedHeap()
    {
        if (!OperatingSystem.IsLinux()) return;
        try { MallocTrim(0); }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { }
    }

    [DllImport("libc", EntryPoint = "setenv")]
    static extern int SetEnv(string name, string value, int overwrite);

    /// <summary>
    /// libtorch's bundled libgomp spins its worker threads while waiting. On a 2-core machine shared with other work
    /// that makes 2-thread decode steps tens of times slower (measured: 3.2 s instead of 0.13 s per musicgen-small
    /// step under load). A passive wait costs nothing measurable when the machine is idle. Set natively (libgomp reads
    /// the C environment, not .NET's) before libtorch loads, and only when the user has not chosen a policy.
    /// </summary>
    static void PassiveOpenMpWait()
    {
        if (Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") is not null) return;
        try { SetEnv("OMP_WAIT_POLICY", "PASSIVE", 0); Environment.SetEnvironmentVariable("OMP_WAIT_POLICY", "PASSIVE"); }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { }
    }

    static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? path) =>
        name is "LibTorchSharp" or "libLibTorchSharp" or "libLibTorchSharp.so" ? _patchedHandle : IntPtr.Zero;

    /// <summary>True when the C++ runtime this process will use defines <paramref name="version"/>.</summary>
    internal static bool CppRuntimeHas(string version)
    {
        string? libstdcxx = LoadedLibraryPath("libstdc++.so.6");
        if (libstdcxx is null)
        {
            foreach (var dir in new[] { "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/lib64", "/usr/lib" })
            {
                string p = Path.Combine(dir, "libstdc++.so.6");
                if (File.Exists(p)) { libstdcxx = p; break; }
            }
        }
        if (libstdcxx is null) return true; // cannot tell: do not interfere
        byte[] data = File.ReadAllBytes(libstdcxx);
        byte[] needle = System.Text.Encoding.ASCII.GetBytes(version + "\0");
        return data.AsSpan().IndexOf(needle) >= 0;
    }

    static string? LoadedLibraryPath(string fileName)
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/maps"))
            {
                int slash = line.IndexOf('/');
                if (slash >= 0 && line.EndsWith("/" + fileName, StringComparison.Ordinal)) return line[slash..];
            }
        }
        catch (IOException) { }
        return null;
    }

    static string? FindTorchSharpNative()
    {
        var candidates = new List<string>
        {
            Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so"),
            Path.Combine(AppContext.BaseDirectory, "libLibTorchSharp.so"),
        };
        string? asmDir = Path.GetDirectoryName(typeof(torch).Assembly.Location);
        if (!string.IsNullOrEmpty(asmDir))
        {
            candidates.Add(Path.Combine(asmDir, "runtimes", "linux-x64", "native", "libLibTorchSharp.so"));
            // NuGet cache layout: torchsharp/<ver>/lib/net8.0/TorchSharp.dll -> torchsharp/<ver>/runtimes/...
            candidates.Add(Path.GetFullPath(Path.Combine(asmDir, "..", "..", "runtimes", "linux-x64", "native", "libLibTorchSharp.so")));
        }
        return candidates.FirstOrDefault(File.Exists);
    }

    /// <summary>libtorch's natives: next to libLibTorchSharp (app output), else the NuGet cache (notebook hosts).</summary>
    internal static string? FindLibTorchDir(string sharpDir, string? packagesRoot = null)
    {
        if (File.Exists(Path.Combine(sharpDir, "libtorch_cpu.so"))) return sharpDir;
        // NuGet cache: libtorch-cpu-linux-x64/<ver>/runtimes/linux-x64/native
        string packages = packagesRoot ?? Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        string root = Path.Combine(packages, "libtorch-cpu-linux-x64");
        if (!Directory.Exists(root)) return null;
        return Directory.GetDirectories(root)
            // Newest version first, compared numerically ("2.10.0" after "2.9.0"; ordinal order would pick 2.9.0).
            .OrderByDescending(d => Version.TryParse(Path.GetFileName(d).Split('-')[0], out var v) ? v : new Version(0, 0))
            .ThenByDescending(d => d, StringComparer.Ordinal)
            .Select(d => Path.Combine(d, "runtimes", "linux-x64", "native"))
            .FirstOrDefault(d => File.Exists(Path.Combine(d, "libtorch_cpu.so")));
    }

    static string WritePatchedCopy(byte[] patched)
    {
        string hash = Convert.ToHexString(SHA256.HashData(patched))[..16].ToLowerInvariant();
        string dir = Path.Combine(CacheDirs.Root, "native", hash);
        string target = Path.Combine(dir, "libLibTorchSharp.so");
        if (File.Exists(target) && new FileInfo(target).Length == patched.Length) return target;
        AtomicFile.WriteAllBytes(target, patched);
        return target;
    }
}
