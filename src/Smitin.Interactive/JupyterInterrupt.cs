using System.Runtime.InteropServices;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;

namespace Smitin.Interactive;

/// <summary>
/// Makes Jupyter's interrupt button cancel the running cell in the .NET kernel instead of shutting the kernel down.
/// Jupyter interrupts a kernel whose kernelspec has no <c>interrupt_mode</c> by sending SIGINT to its process group;
/// the .NET host (<c>Microsoft.Extensions.Hosting</c>'s console lifetime) answers SIGINT by stopping the application,
/// and <c>"interrupt_mode": "message"</c> does not help because .NET Interactive's control channel ignores
/// <c>interrupt_request</c> (measured with <c>dotnet-interactive</c> 1.0.712001, docs/notebooks.md). The kernelspec that
/// <c>scripts/setup.sh</c> installs therefore starts the kernel through <c>smitin-kernel-launch.sh</c>, which runs it with
/// SIGINT ignored and turns each SIGINT into <see cref="Signal"/> for the kernel's process group. This handler answers
/// it with .NET Interactive's <see cref="Cancel"/> command on the root kernel: what Polyglot's stop button sends. Any
/// running cell is cancelled (the magics' tokens fire, the progress line says "cancelled") and the kernel keeps its state.
/// </summary>
static class JupyterInterrupt
{
    /// <summary>SIGWINCH: ignored by default (a kernel without the handler is not harmed), and a Jupyter kernel has no
    /// terminal whose resizing would send it.</summary>
    public const PosixSignal Signal = PosixSignal.SIGWINCH;

    static readonly object Gate = new();
    static PosixSignalRegistration? _registration;
    static Kernel? _root;

    /// <summary>Number of interrupts turned into <see cref="Cancel"/> commands (diagnostics).</summary>
    public static int Cancels { get; private set; }

    /// <summary>Installs the handler once per process (Windows has no such signal: nothing is done there).</summary>
    public static void Install(Kernel root)
    {
        if (OperatingSystem.IsWindows()) return;
        lock (Gate)
        {
            _root = root;
            _registration ??= PosixSignalRegistration.Create(Signal, _ => Interrupt());
        }
    }

    /// <summary>What the signal does: cancel whatever runs on the root kernel.</summary>
    internal static void Interrupt()
    {
        Kernel? root;
        lock (Gate) root = _root;
        if (root is null) return;
        Cancels++;
        _ = root.SendAsync(new Cancel());
    }
}
