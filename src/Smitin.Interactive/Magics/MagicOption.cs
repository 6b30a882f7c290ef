using Microsoft.DotNet.Interactive.Directives;

namespace Smitin.Interactive.Magics;

/// <summary>What an option's value must be: checked on the raw magic line before .NET Interactive binds it.</summary>
internal enum MagicValueKind
{
    /// <summary>Any word (quote it when it has spaces).</summary>
    Text,
    /// <summary>A whole number (invariant culture).</summary>
    Integer,
    /// <summary>A finite number (invariant culture, '.' decimal separator).</summary>
    Number,
    /// <summary>No value: present or absent.</summary>
    Flag,
}

/// <summary>
/// One option of a <c>#!smitin</c> subcommand: its name in the shared vocabulary (docs/options.md), description,
/// value kind and, for a deprecated first-release name, the name that replaced it (<see cref="ReplacedBy"/>; such
/// aliases are declared to .NET Interactive so they still bind, but are hidden from the help).
/// </summary>
internal sealed record MagicOption(string Name, string Description, MagicValueKind Kind = MagicValueKind.Text)
{
    /// <summary>The first bare word of the line binds to this option (at most one per subcommand).</summary>
    public bool Implicit { get; init; }
    /// <summary>Allowed values (also offered as completions); null = any.</summary>
    public IReadOnlyList<string>? Choices { get; init; }
    /// <summary>Suggested values (completions) when any value is allowed.</summary>
    public IReadOnlyList<string>? Completions { get; init; }
    /// <summary>For a deprecated alias: the option that replaced it.</summary>
    public string? ReplacedBy { get; init; }

    public bool Deprecated => ReplacedBy is not null;

    /// <summary>A hidden alias <paramref name="oldName"/> of this option (same kind and choices).</summary>
    public MagicOption Alias(string oldName) =>
        this with { Name = oldName, Description = $"Deprecated: use {Name}.", Implicit = false, ReplacedBy = Name };

    /// <summary>What the help shows after the name: <c>&lt;number&gt;</c>, <c>&lt;a|b&gt;</c>, <c>&lt;value&gt;</c>.</summary>
    public string ValueHint => Kind switch
    {
        MagicValueKind.Integer => "integer",
        MagicValueKind.Number => "number",
        _ => Choices is { } c ? string.Join("|", c) : "value",
    };

    /// <summary>The .NET Interactive declaration (no parameter is Required: <c>--help</c> alone must bind).</summary>
    public KernelDirectiveParameter ToParameter()
    {
        var p = new KernelDirectiveParameter(Name, Description)
        {
            AllowImplicitName = Implicit,
            Flag = Kind == MagicValueKind.Flag,
            TypeHint = Kind is MagicValueKind.Integer or MagicValueKind.Number ? "number" : null,
        };
        if ((Choices ?? Completions) is { } values) p.AddCompletions(() => values);
        return p;
    }
}
