using System.Net;
using System.Text;
using Microsoft.DotNet.Interactive.Directives;
using Microsoft.DotNet.Interactive.Formatting;

namespace Smitin.Interactive.Magics;

/// <summary>
/// Help text generated from the declared directives (so it can never disagree with what is parsed). No parameter is
/// declared <c>Required</c>: .NET Interactive would reject <c>--help</c> alone; handlers check instead and the
/// description says "(required)".
/// </summary>
internal sealed record MagicHelp(string Text)
{
    internal static MagicHelp ForMagic(KernelActionDirective magic)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"{magic.Name} <subcommand> [options]");
        sb.AppendLine(magic.Description);
        sb.AppendLine();
        sb.AppendLine("Subcommands:");
        int width = magic.Subcommands.Max(s => s.Name.Length) + 2;
        foreach (var s in magic.Subcommands) sb.AppendLine($"  {s.Name.PadRight(width)}{s.Description}");
        sb.AppendLine();
        sb.AppendLine($"'{magic.Name} <subcommand> --help' lists a subcommand's options.");
        return new MagicHelp(sb.ToString());
    }

    internal static MagicHelp ForSubcommand(KernelActionDirective magic, string name)
    {
        var sub = magic.Subcommands.FirstOrDefault(s => s.Name == name);
        if (sub is null) return ForMagic(magic);
        var sb = new StringBuilder();
        var implicitParam = sub.Parameters.FirstOrDefault(p => p.AllowImplicitName);
        string usage = implicitParam is null ? "" : $" [{implicitParam.Name}] <{Hint(implicitParam)}>";
        sb.AppendLine($"{magic.Name} {sub.Name}{usage} [options]");
        sb.AppendLine(sub.Description);
        sb.AppendLine();
        sb.AppendLine("Options:");
        var rows = sub.Parameters.Select(p => (Left: p.Flag ? p.Name : $"{p.Name} <{Hint(p)}>", p)).ToList();
        int width = rows.Max(r => r.Left.Length) + 2;
        foreach (var (left, p) in rows)
            sb.AppendLine($"  {left.PadRight(width)}{p.Description}");
        return new MagicHelp(sb.ToString());
    }

    static string Hint(KernelDirectiveParameter p) => p.TypeHint is "text" or null ? "value" : p.TypeHint;

    internal string Html => $"<pre class=\"smitin-help\">{WebUtility.HtmlEncode(Text)}</pre>";

    internal FormattedValue[] FormattedValues() =>
        [new(HtmlFormatter.MimeType, Html), new(PlainTextFormatter.MimeType, Text)];
}
