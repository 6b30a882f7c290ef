using Smitin.Native;

namespace Smitin.Tests.NativeLoading; // not Smitin.Tests.Native: that would shadow Smitin.Native in the other tests

/// <summary>How the notebook host finds libtorch: the NuGet cache layout (ecosystem notes §2.1).</summary>
public class TorchRuntimeCacheLayoutTests
{
    [Fact]
    public void Newest_cached_libtorch_version_wins_numerically_and_app_local_natives_come_first()
    {
        string root = Path.Combine(Path.GetTempPath(), "smitin-nuget-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            foreach (var version in new[] { "2.9.0", "2.10.0", "2.11.0-preview" })
            {
                string native = Path.Combine(root, "libtorch-cpu-linux-x64", version, "runtimes", "linux-x64", "native");
                Directory.CreateDirectory(native);
                if (version != "2.11.0-preview") File.WriteAllBytes(Path.Combine(native, "libtorch_cpu.so"), []);
            }
            string sharp = Path.Combine(root, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native");
            Directory.CreateDirectory(sharp);
            // 2.11.0-preview has no natives, so 2.10.0 (not 2.9.0, which sorts later as text) is the one
            Assert.Equal(Path.Combine(root, "libtorch-cpu-linux-x64", "2.10.0", "runtimes", "linux-x64", "native"),
                TorchRuntime.FindLibTorchDir(sharp, root));

            File.WriteAllBytes(Path.Combine(sharp, "libtorch_cpu.so"), []);
            Assert.Equal(sharp, TorchRuntime.FindLibTorchDir(sharp, root));
            Assert.Null(TorchRuntime.FindLibTorchDir(Path.Combine(root, "elsewhere"), Path.Combine(root, "empty")));
        }
        finally { Directory.Delete(root, recursive: true); }
    }
}
