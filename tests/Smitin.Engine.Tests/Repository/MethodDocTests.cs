using System.Text.RegularExpressions;
using Smitin.Tests.Support;

namespace Smitin.Tests.Repository;

/// <summary>
/// docs/method.md is the method's home in the repository (issue 14): its code map names, per equation, the one file
/// and member that implement it, and the code points there. These tests keep both sides honest when code moves.
/// </summary>
public partial class MethodDocTests
{
    static string MethodDoc => File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "method.md"));

    /// <summary>Code-map rows: <c>| … | `path` · `Type.Member` |</c> (or just <c>`Type`</c>).</summary>
    [GeneratedRegex(@"^\|.*\|\s*`(?<path>src/[^`]+\.cs)`\s*·\s*`(?<member>[\w.]+)`\s*\|\s*$", RegexOptions.Multiline)]
    private static partial Regex CodeMapRow();

    public static IReadOnlyList<(string Path, string Member)> CodeMap(string markdown) =>
        CodeMapRow().Matches(markdown).Select(m => (m.Groups["path"].Value, m.Groups["member"].Value)).ToList();

    /// <summary>Null when <paramref name="source"/> declares <paramref name="member"/> (<c>Type</c> or
    /// <c>Type.Member</c>), else what is missing.</summary>
    public static string? Missing(string source, string member)
    {
        var parts = member.Split('.');
        if (!SourceFileNameTests.DeclaredTypes(source).Contains(parts[0])) return $"type {parts[0]}";
        if (parts.Length == 1) return null;
        // a method, property, field or constant: the name followed by (, <, {, =, =>, ; or , in a declaration
        var declaration = new Regex(@"^\s*(?:\[[^\]]*\]\s*)?(?:(?:public|internal|private|protected|static|readonly|const|required|override|virtual|sealed|partial|async)\s+)*" +
            @"(?:\([^()]*\)\??|[\w<>\[\],.?]+)\s+" + Regex.Escape(parts[^1]) + @"\b\s*(?:\(|<|\{|=|;|,)", RegexOptions.Multiline);
        return declaration.IsMatch(source) ? null : $"member {member}";
    }

    [Fact]
    public void EveryCodeMapRowNamesAnExistingFileThatDeclaresTheMember()
    {
        var map = CodeMap(MethodDoc);
        Assert.True(map.Count >= 30, $"docs/method.md: expected the code map (30+ rows), found {map.Count}");
        var problems = new List<string>();
        foreach (var (path, member) in map)
        {
            var full = Path.Combine(RepoPaths.Root, path);
            if (!File.Exists(full)) { problems.Add($"{path}: no such file ({member})"); continue; }
            if (Missing(File.ReadAllText(full), member) is { } missing) problems.Add($"{path}: {missing} not declared");
        }
        Assert.True(problems.Count == 0, "docs/method.md code map:\n" + string.Join("\n", problems));
    }

    [Fact]
    public void TheMemberCheckFindsDeclarationsAndNotMentions()
    {
        const string source = """
            public static class ProbeStatistics
            {
                public static float[] SoftWeights(float[] accuracy, double p) => accuracy;
                public double Alpha { get; init; } = 5;
                public readonly HookPoint hook_z;
                public static (Tensor Prefix, Tensor Pattern) Build(Tensor ids) => default;
                public const double DefaultGuidanceScale = 3.0;
                // TopHeads is mentioned here only
                var x = TopHeads(accuracy, m);
            }
            """;
        Assert.Null(Missing(source, "ProbeStatistics.SoftWeights"));
        Assert.Null(Missing(source, "ProbeStatistics.Alpha"));
        Assert.Null(Missing(source, "ProbeStatistics.hook_z"));
        Assert.Null(Missing(source, "ProbeStatistics.Build"));
        Assert.Null(Missing(source, "ProbeStatistics.DefaultGuidanceScale"));
        Assert.Null(Missing(source, "ProbeStatistics"));
        Assert.Equal("member ProbeStatistics.TopHeads", Missing(source, "ProbeStatistics.TopHeads"));
        Assert.Equal("type TraitGate", Missing(source, "TraitGate.Decide"));
    }

    [Fact]
    public void CodeCommentsCiteDocsMethodMdNotTheUnshippedMethodNote()
    {
        var stale = new[] { "src", "tests" }.SelectMany(RepoPaths.SourceFiles)
            .Where(f => Path.GetFileName(f) != nameof(MethodDocTests) + ".cs")
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (f, line, i)))
            .Where(x => x.line.Contains("method note", StringComparison.OrdinalIgnoreCase) || x.line.Contains("smitin-method.md"))
            .Select(x => $"{Path.GetRelativePath(RepoPaths.Root, x.f)}:{x.i + 1}: {x.line.Trim()}")
            .ToList();
        Assert.True(stale.Count == 0, "cite docs/method.md (section name) instead:\n" + string.Join("\n", stale));
    }

    [Fact]
    public void TheReadmeCitesThePaperAndLinksTheMethod()
    {
        var readme = File.ReadAllText(Path.Combine(RepoPaths.Root, "README.md"));
        Assert.Contains("arXiv:2404.02252", readme);
        Assert.Contains("docs/method.md", readme);
        Assert.Contains("arXiv:2404.02252", MethodDoc);
        Assert.Contains("arXiv:2306.03341", MethodDoc);
    }
}
