using System.Net;
using System.Text;
using Microsoft.DotNet.Interactive.Formatting;

namespace Smitin.Interactive.Magics;

/// <summary>
/// Help text generated from the subcommands' option tables (so it can never disagree with what is parsed); deprecated
/// aliases are not listed. No parameter is declared <c>Required</c>: .NET Interactive would reject <c>--help</c> alone;
/// handlers check instead and the description says "(required)".
/// </summary>
internal sealed record MagicHelp(string Text)
{
    internal static MagicHelp ForMagic(string magic, string description, IReadOnlyList<SmitinMagics.Subcommand> subcommands)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"{magic} <subcommand> [options]");
        sb.AppendLine(description);
        sb.AppendLine();
        sb.AppendLine("Subcommands:");
        int width = subcommands.Max(s => s.Name.Length) + 2;
        foreach (var s in subcommands) sb.AppendLine($"  {s.Name.PadRight(width)}{s.Description}");
        sb.AppendLine();
        sb.AppendLine($"'{magic} <subcommand> --help' lists a subcommand's options.");
        return new MagicHelp(sb.ToString());
    }

    internal static MagicHelp ForSubcommand(string magic, SmitinMagics.Subcommand sub)
    {
        var sb = new StringBuilder();
        var options = sub.Options.Where(o => !o.Deprecated).ToList();
        var implicitOption = options.FirstOrDefault(o => o.Implicit);
        string usage = implicitOption is null ? "" : $" [{implicitOption.Name}] <{implicitOption.ValueHint}>";
        sb.AppendLine($"{magic} {sub.Name}{usage} [options]");
        sb.AppendLine(sub.Description);
        sb.AppendLine();
        sb.AppendLine("Options:");
        var rows = options.Select(o => (Left: o.Kind == MagicValueKind.Flag ? o.Name : $"{o.Name} <{o.ValueHint}>", o)).ToList();
        int width = rows.Max(r => r.Left.Length) + 2;
        foreach (var (left, o) in rows)
            sb.AppendLine($"  {left.PadRight(width)}{o.Description}");
        return new MagicHelp(sb.ToString());
    }

    internal string Html => $"<pre class=\"smitin-help\">{WebUtility.HtmlEncode(Text)}</pre>";

    internal FormattedValue[] FormattedValues() =>
        [new(HtmlFormatter.MimeType, Html), new(PlainTextFormatter.MimeType, Text)];
}
