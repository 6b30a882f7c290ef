using Microsoft.DotNet.Interactive.Commands;

namespace Smitin.Interactive.Magics;

/// <summary>
/// Base of every <c>#!smitin</c> subcommand. .NET Interactive serialises the parsed directive to JSON and
/// deserialises it into the subclass (<c>--kebab-case</c> option → camelCase property), then the runner calls
/// <see cref="RunAsync"/>. Subclasses only parse/validate options, call the engine and display results.
/// </summary>
public abstract class SmitinMagicCommand : KernelDirectiveCommand
{
    /// <summary><c>--help</c>: show the subcommand's options instead of running it.</summary>
    public bool Help { get; set; }

    internal abstract Task RunAsync(MagicContext magic);

    /// <summary>The <c>--var</c> name, checked before any work (null when the subcommand binds nothing or it was not given).</summary>
    internal virtual string? VariableName => null;

    /// <summary>Throws a usage error (help + message) unless <paramref name="ok"/>.</summary>
    protected static void Check(bool ok, string message)
    {
        if (!ok) throw new MagicUsageException(message);
    }
}
