using System.CommandLine;
using Smitin.Cli;

namespace Smitin.Tests.Support;

/// <summary>Runs the smitin CLI in-process (same command tree as the executable) and returns its exit code.</summary>
public static class CliHost
{
    public static Task<int> Run(params string[] args) => Run(CancellationToken.None, args);

    /// <summary>Runs the CLI; cancelling <paramref name="ct"/> is what Ctrl+C does (System.CommandLine cancels the
    /// action's token).</summary>
    public static async Task<int> Run(CancellationToken ct, params string[] args)
    {
        var root = new RootCommand("smitin (test host)");
        foreach (var command in Commands.All()) root.Subcommands.Add(command);
        return await root.Parse(CliAliases.Rewrite(args, Console.Error)).InvokeAsync(new InvocationConfiguration(), ct);
    }

    static readonly SemaphoreSlim ErrorGate = new(1, 1);

    /// <summary>
    /// Runs the CLI with Console.Error captured (one capture at a time). Other tests running in parallel may add
    /// their own lines to the capture, so check it with Contains, never for equality or absence of other output.
    /// </summary>
    public static Task<(int Code, string Error)> RunCapturingErrors(params string[] args) => RunCapturingErrors(CancellationToken.None, args);

    public static async Task<(int Code, string Error)> RunCapturingErrors(CancellationToken ct, params string[] args)
    {
        await ErrorGate.WaitAsync();
        var saved = Console.Error;
        var capture = new StringWriter();
        try
        {
            Console.SetError(TextWriter.Synchronized(capture));
            int code = await Run(ct, args);
            return (code, capture.ToString());
        }
        finally
        {
            Console.SetError(saved);
            ErrorGate.Release();
        }
    }
}
