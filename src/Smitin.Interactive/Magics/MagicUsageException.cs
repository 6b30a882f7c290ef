namespace Smitin.Interactive.Magics;

/// <summary>
/// A bad option or option value of a <c>#!smitin</c> subcommand. The runner shows the subcommand's help
/// followed by this message as the cell error; the kernel keeps working.
/// </summary>
public sealed class MagicUsageException(string message) : Exception(message);
