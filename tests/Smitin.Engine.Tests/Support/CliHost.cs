using System.CommandLine;
using Smitin.Cli;

namespace Smitin.Tests.Support;

/// <summary>Runs the smitin CLI in-process (same command tree as the executable) and returns its exit code.</summary>
public static class CliHost
{
    public static async Task<int> Run(params string[] args)
    {
        var root = new RootCommand("smitin (test host)");
        foreach (var command in Commands.All()) root.Subcommands.Add(command);
        return await root.Parse(args).InvokeAsync();
    }
}
