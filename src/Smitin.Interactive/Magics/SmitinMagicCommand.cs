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

    /// <summary>Throws a usage error (help + message) unless <paramref name="ok"/>.</summary>
    protected static void Check(bool ok, string message)
    {
        if (!ok) throw new MagicUsageException(message);
    }

    /// <summary>Checks an optional number against an inclusive range, naming the option.</summary>
    protected static void CheckRange(double? value, string option, double min, double max)
    {
        if (value is { } v && (double.IsNaN(v) || v < min || v > max))
            throw new MagicUsageException($"{option} must be between {min} and {max}, got {v}");
    }
}
