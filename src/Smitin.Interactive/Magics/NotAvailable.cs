namespace Smitin.Interactive.Magics;

/// <summary>The error a subcommand raises while the engine part it needs is not in this build.</summary>
internal static class NotAvailable
{
    internal static SmitinException Because(string subcommand, string missingPart) =>
        new($"'#!smitin {subcommand}' is not available yet in this build: the engine part it needs ({missingPart}) has not landed");
}
