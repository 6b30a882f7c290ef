using System.CommandLine;
using Smitin.Native;
using TorchSharp;

namespace Smitin.Cli;

/// <summary><c>smitin info</c>: versions, native loading status, threads.</summary>
static class InfoCommand
{
    public static Command Create()
    {
        var cmd = new Command("info", "Print TorchSharp/libtorch versions and how the native library was loaded.");
        cmd.SetAction(_ =>
        {
            TorchRuntime.Ensure();
            Console.WriteLine($"smitin {typeof(TorchRuntime).Assembly.GetName().Version}");
            Console.WriteLine($"libtorch {torch.__version__}, threads {torch.get_num_threads()}, cuda available: {torch.cuda.is_available()}");
            Console.WriteLine($"native: {TorchRuntime.Status}");
            Console.WriteLine($"cache: {CacheDirs.Root}");
            return 0;
        });
        return cmd;
    }
}
