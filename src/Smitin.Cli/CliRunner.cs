using System.CommandLine;

namespace Smitin.Cli;

/// <summary>Runs the parsed command; turns expected failures (bad input) into one-line errors and exit code 1.</summary>
static class CliRunner
{
    public static async Task<int> RunAsync(RootCommand root, string[] args)
    {
        using var cts = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };
        try
        {
            var parse = root.Parse(CliAliases.Rewrite(args, Console.Error));
            return await parse.InvokeAsync(new InvocationConfiguration(), cts.Token);
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("smitin: cancelled");
            return 130;
        }
    }

    /// <summary>Wraps a command body: user-facing errors are printed without a stack trace; a cancelled run (Ctrl+C:
    /// System.CommandLine cancels the action's token) says so and exits with 130, the shell's code for SIGINT.
    /// (Not caught here, System.CommandLine's default handler would turn the cancellation into a silent exit code 1.)</summary>
    public static async Task<int> Guard(Func<Task<int>> body)
    {
        try { return await body(); }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("smitin: cancelled");
            return 130;
        }
        catch (OptionException e)
        {
            Console.Error.WriteLine($"smitin: error: {e.ForCommandLine}");
            return 1;
        }
        catch (Exception e) when (e is SmitinException or IOException or InvalidDataException or UnauthorizedAccessException or ArgumentException)
        {
            Console.Error.WriteLine($"smitin: error: {e.Message}");
            return 1;
        }
    }
}
