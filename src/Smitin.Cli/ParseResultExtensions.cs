using System.CommandLine;

namespace Smitin.Cli;

/// <summary>Reading options whose default belongs to the engine's option records.</summary>
static class ParseResultExtensions
{
    /// <summary>The option's value when the user gave it, else null (the caller falls back to the engine record's
    /// default). Options are declared with non-nullable types so that System.CommandLine's parse errors name
    /// <c>double</c>/<c>int</c>, not <c>System.Nullable`1[...]</c>.</summary>
    public static T? Given<T>(this ParseResult parse, Option<T> option) where T : struct =>
        parse.Gave(option) ? parse.GetValue(option) : null;

    /// <summary>True when the user typed the option (flags have an implicit result even when absent).</summary>
    public static bool Gave(this ParseResult parse, Option option) => parse.GetResult(option) is { Implicit: false };
}
