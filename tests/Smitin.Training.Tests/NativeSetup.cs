using System.Runtime.CompilerServices;

namespace Smitin.Training.Tests;

/// <summary>Tests touch TorchSharp before any engine type; load libtorch the way the engine does (Debian 12 GLIBCXX fix).</summary>
static class NativeSetup
{
    [ModuleInitializer]
    internal static void Init() => Smitin.Native.TorchRuntime.Ensure();
}
