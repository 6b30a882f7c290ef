using System.Globalization;
using System.Text;

namespace Smitin.Interactive.Magics;

/// <summary>
/// Checks a raw <c>#!smitin</c> line against the subcommand's option table before anything runs, because .NET
/// Interactive's nested sub-directives drop unknown options and take an option without its value as absent. Every
/// mistake is an error naming the culprit: an unknown subcommand or option (with the closest known one), a missing
/// value, a flag given a value, a stray word, single quotes, a value of the wrong type, an option given twice, an old
/// name together with its new one. Value references (<c>@csharp:x</c>, <c>@input:...</c>) are left to .NET Interactive.
/// </summary>
internal sealed class MagicLine
{
    /// <summary>The subcommand (null for the bare magic).</summary>
    public string? Subcommand { get; }
    /// <summary>Options given (canonical or deprecated names as typed), in order.</summary>
    public IReadOnlyList<string> Given { get; }

    MagicLine(string? subcommand, IReadOnlyList<string> given)
    {
        Subcommand = subcommand; Given = given;
    }

    /// <summary>A line that cannot run: <see cref="Subcommand"/> is the one whose help to show (null = the overview).</summary>
    internal sealed class Error(string? subcommand, string message) : Exception(message)
    {
        public string? Subcommand { get; } = subcommand;
    }

    /// <summary>Parses <paramref name="line"/> (which starts with <paramref name="magic"/>).</summary>
    /// <exception cref="Error">anything that does not match the tables</exception>
    public static MagicLine Parse(string line, string magic, IReadOnlyDictionary<string, IReadOnlyList<MagicOption>> subcommands,
        IReadOnlyList<MagicOption> rootOptions)
    {
        string[] head = line.Trim().Split((char[]?)null, 3, StringSplitOptions.RemoveEmptyEntries);
        if (head.Length == 0 || head[0] != magic) throw new Error(null, $"expected a line starting with {magic}");
        string? sub = null;
        IReadOnlyList<MagicOption> options = rootOptions;
        if (head.Length > 1 && !head[1].StartsWith("--", StringComparison.Ordinal))
        {
            string word = head[1];
            if (!subcommands.TryGetValue(word, out var table))
            {
                string? close = Closest(word, subcommands.Keys);
                throw new Error(null, $"unknown subcommand '{word}'" + (close is null ? "" : $" (did you mean '{close}'?)") +
                    $"; the subcommands are {string.Join(", ", subcommands.Keys)}");
            }
            sub = word;
            options = table;
        }
        var tokens = Tokenize(line.Trim(), sub);
        int i = sub is null ? 1 : 2;
        var byName = options.ToDictionary(o => o.Name, StringComparer.Ordinal);
        var given = new List<string>();
        var implicitOption = options.FirstOrDefault(o => o.Implicit);
        bool implicitTaken = false;
        for (; i < tokens.Count; i++)
        {
            var token = tokens[i];
            if (token.Raw.StartsWith("--", StringComparison.Ordinal))
            {
                if (!byName.TryGetValue(token.Raw, out var option))
                {
                    var known = options.Select(o => o.Name);
                    string? close = Closest(token.Raw, known);
                    string hint = close is null ? "" : byName[close].ReplacedBy is { } now ? $" (did you mean {now}?)" : $" (did you mean {close}?)";
                    throw new Error(sub, $"unknown option '{token.Raw}'{hint}");
                }
                string canonical = option.ReplacedBy ?? option.Name;
                if (given.Any(g => (byName[g].ReplacedBy ?? g) == canonical))
                {
                    string first = given.First(g => (byName[g].ReplacedBy ?? g) == canonical);
                    throw new Error(sub, first == option.Name
                        ? $"{option.Name} is given twice"
                        : $"{first} and {option.Name} are the same option ({canonical}): give it once");
                }
                given.Add(option.Name);
                if (option.Implicit) implicitTaken = true;
                if (option.Kind == MagicValueKind.Flag)
                {
                    if (i + 1 < tokens.Count && tokens[i + 1].Value.ToLowerInvariant() is "true" or "false")
                        throw new Error(sub, $"{option.Name} is a flag and takes no value: write {option.Name} alone to turn it on, leave it out for off (got '{tokens[i + 1].Raw}')");
                    continue;
                }
                if (i + 1 >= tokens.Count || tokens[i + 1].Raw.StartsWith("--", StringComparison.Ordinal))
                    throw new Error(sub, $"{option.Name} needs a value ({Expected(option)})");
                CheckValue(sub, option, tokens[++i]);
                continue;
            }
            if (token.Raw.StartsWith("//", StringComparison.Ordinal))
                throw new Error(sub, $"unexpected '{token.Raw}': a magic line cannot end with a comment; put the comment on its own line");
            if (implicitOption is not null && !implicitTaken)
            {
                implicitTaken = true;
                given.Add(implicitOption.Name);
                CheckValue(sub, implicitOption, token);
                continue;
            }
            string already = implicitOption is null ? "" : $" ({implicitOption.Name} is already given: quote a value with spaces, e.g. {implicitOption.Name} \"two words\")";
            throw new Error(sub, $"unexpected argument '{token.Raw}'{already}");
        }
        return new MagicLine(sub, given);
    }

    static string Expected(MagicOption option) => option.Kind switch
    {
        MagicValueKind.Integer => "a whole number",
        MagicValueKind.Number => "a number",
        _ => option.Choices is { } c ? "one of " + string.Join(", ", c) : "a value; quote it when it has spaces",
    };

    static void CheckValue(string? sub, MagicOption option, Token token)
    {
        if (token.Raw.StartsWith('@')) return;                                   // @csharp:x, @input:...: resolved later
        string v = token.Value;
        bool ok = option.Kind switch
        {
            MagicValueKind.Integer => int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out _),
            MagicValueKind.Number => double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && double.IsFinite(d),
            _ => option.Choices is null || option.Choices.Contains(v, StringComparer.OrdinalIgnoreCase),
        };
        if (!ok) throw new Error(sub, $"{option.Name} '{v}': expected {Expected(option)}");
    }

    /// <summary>A word of the line: <see cref="Raw"/> as typed, <see cref="Value"/> without its double quotes.</summary>
    readonly record struct Token(string Raw, string Value);

    /// <summary>Splits on white space outside double quotes; a single-quoted word is refused (not supported).</summary>
    static List<Token> Tokenize(string line, string? sub)
    {
        var tokens = new List<Token>();
        var raw = new StringBuilder();
        var value = new StringBuilder();
        bool quoted = false, any = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quoted)
            {
                if (c == '\\' && i + 1 < line.Length && line[i + 1] == '"') { raw.Append("\\\""); value.Append('"'); i++; continue; }
                raw.Append(c);
                if (c == '"') quoted = false; else value.Append(c);
                continue;
            }
            if (char.IsWhiteSpace(c))
            {
                if (any) tokens.Add(new Token(raw.ToString(), value.ToString()));
                raw.Clear(); value.Clear(); any = false;
                continue;
            }
            if (c == '\'' && !any)
                throw new Error(sub, $"single quotes are not supported: write {line[i..].Split(' ')[0]}... with double quotes (\"like this\")");
            any = true;
            raw.Append(c);
            if (c == '"') quoted = true; else value.Append(c);
        }
        if (quoted) throw new Error(sub, "a double quote is not closed");
        if (any) tokens.Add(new Token(raw.ToString(), value.ToString()));
        return tokens;
    }

    /// <summary>The candidate with the smallest edit distance, if it is close enough to be a likely typo.</summary>
    internal static string? Closest(string word, IEnumerable<string> candidates)
    {
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (var c in candidates)
        {
            int d = EditDistance(word, c);
            if (d < bestDistance) (best, bestDistance) = (c, d);
        }
        return best is not null && bestDistance <= Math.Max(2, best.Length / 3) ? best : null;
    }

    /// <summary>Optimal string alignment distance (Levenshtein plus adjacent transpositions).</summary>
    static int EditDistance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        return d[a.Length, b.Length];
    }
}
