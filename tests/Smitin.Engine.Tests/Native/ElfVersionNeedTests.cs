using Smitin.Native;

namespace Smitin.Tests.NativeLoading; // not Smitin.Tests.Native: that would shadow Smitin.Native in the other tests

/// <summary>
/// The Debian 12 fix (ecosystem notes §2.1) on the real TorchSharp native library: only the GLIBCXX_3.4.32 need
/// becomes weak (one flag, nothing else changes), and the loader patches only when the C++ runtime lacks the version.
/// </summary>
public class ElfVersionNeedTests
{
    const string Needed = "GLIBCXX_3.4.32";

    /// <summary>The libLibTorchSharp.so shipped next to the test assembly (copied from the TorchSharp package).</summary>
    static byte[] ShippedLibrary()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        Assert.True(File.Exists(path), $"{path} not found: the test output should carry TorchSharp's native library");
        return File.ReadAllBytes(path);
    }

    [Fact]
    public void Weaken_sets_only_the_weak_flag_of_that_one_need()
    {
        byte[] original = ShippedLibrary();
        Assert.Equal(ElfVersionNeed.State.Strong, ElfVersionNeed.Inspect(original, Needed));
        Assert.Equal(ElfVersionNeed.State.Strong, ElfVersionNeed.Inspect(original, "GLIBCXX_3.4"));   // an ordinary need
        Assert.Equal(ElfVersionNeed.State.NotFound, ElfVersionNeed.Inspect(original, "GLIBCXX_99.0"));

        byte[] patched = (byte[])original.Clone();
        Assert.True(ElfVersionNeed.Weaken(patched, Needed));
        Assert.Equal(ElfVersionNeed.State.Weak, ElfVersionNeed.Inspect(patched, Needed));
        Assert.Equal(ElfVersionNeed.State.Strong, ElfVersionNeed.Inspect(patched, "GLIBCXX_3.4"));      // left alone

        // exactly one byte differs (vna_flags, little-endian, VER_FLG_WEAK = 0x2), by exactly that bit
        var changed = Enumerable.Range(0, original.Length).Where(i => original[i] != patched[i]).ToList();
        Assert.Single(changed);
        Assert.Equal(0x2, original[changed[0]] ^ patched[changed[0]]);

        Assert.False(ElfVersionNeed.Weaken(patched, Needed));                                          // idempotent
        Assert.False(ElfVersionNeed.Weaken(patched, "GLIBCXX_99.0"));                                  // absent: no change
    }

    [Fact]
    public void Non_elf_input_is_refused_not_misread()
    {
        Assert.Throws<InvalidDataException>(() => ElfVersionNeed.Inspect(new byte[128], Needed));
        byte[] truncated = ShippedLibrary()[..256];                                                    // header only
        Assert.Throws<InvalidDataException>(() => ElfVersionNeed.Inspect(truncated, Needed));
    }

    [Fact]
    public void The_loader_patches_only_when_the_cpp_runtime_lacks_the_version()
    {
        Assert.True(TorchRuntime.CppRuntimeHas("GLIBCXX_3.4"));                                       // every libstdc++ has it
        Assert.False(TorchRuntime.CppRuntimeHas("GLIBCXX_99.0"));
        TorchRuntime.Ensure();
        if (TorchRuntime.CppRuntimeHas(Needed))
            Assert.Contains("nothing to do", TorchRuntime.Status);
        else
            Assert.Contains("loaded patched", TorchRuntime.Status);
    }
}
