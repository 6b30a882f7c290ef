using System.Text.RegularExpressions;
using Smitin.Tests.Support;

namespace Smitin.Tests.Repository;

/// <summary>
/// File name = type name (HELPERS style rule, issue 14): every C# file under <c>src/</c> declares a type named after
/// it (<c>MusicGen.Codec.cs</c>: a part of <c>MusicGen</c>). Exempt: <c>Program.cs</c>, <c>AssemblyInfo.cs</c> and
/// <c>*Extensions.cs</c> (extension-method holders).
/// </summary>
public partial class SourceFileNameTests
{
    [GeneratedRegex(@"^[ \t]*(?:\[[^\]\r\n]*\][ \t]*)*(?:(?:public|internal|private|protected|static|sealed|abstract|readonly|partial|file|unsafe|new|ref)\s+)*" +
        @"(?:(?:record\s+(?:struct\s+|class\s+)?|class\s+|struct\s+|interface\s+|enum\s+)(?<name>\w+)|delegate\s+[^;(]*?\b(?<name>\w+)\s*[<(])",
        RegexOptions.Multiline)]
    private static partial Regex TypeDeclaration();

    /// <summary>Names of the types (and delegates) a C# source declares.</summary>
    public static IReadOnlySet<string> DeclaredTypes(string source) =>
        TypeDeclaration().Matches(source).Select(m => m.Groups["name"].Value).ToHashSet(StringComparer.Ordinal);

    /// <summary>The type a file must declare (<c>MusicGen.Codec.cs</c> → <c>MusicGen</c>), or null when exempt.</summary>
    public static string? ExpectedType(string path)
    {
        string name = Path.GetFileName(path);
        string type = name[..name.IndexOf('.')];
        return type is "Program" or "AssemblyInfo" || type.EndsWith("Extensions", StringComparison.Ordinal) ? null : type;
    }

    [Fact]
    public void EverySourceFileDeclaresTheTypeItIsNamedAfter()
    {
        var offenders = new List<string>();
        foreach (var file in RepoPaths.SourceFiles("src"))
        {
            if (ExpectedType(file) is not { } expected) continue;
            var declared = DeclaredTypes(File.ReadAllText(file));
            if (!declared.Contains(expected))
                offenders.Add($"{Path.GetRelativePath(RepoPaths.Root, file)} declares [{string.Join(", ", declared.Order())}], not {expected}");
        }
        Assert.True(offenders.Count == 0, "files named after no type they hold:\n" + string.Join("\n", offenders));
    }

    [Fact]
    public void TheCheckSeesEveryKindOfDeclarationAndReportsAMismatch()
    {
        const string source = """
            namespace X;
            /// <summary>class Fake in a comment is not a declaration</summary>
            public readonly record struct GateDecision(bool Open);
            internal sealed class TraitGate { }
            [Flags] public enum Kind { A }
            public delegate Tensor? HeadHook(int layer, Tensor z);
            public sealed partial record Summary { }
            interface ISource { }
            """;
        Assert.Equal(["GateDecision", "HeadHook", "ISource", "Kind", "Summary", "TraitGate"], DeclaredTypes(source).Order());
        Assert.DoesNotContain("KeyValueCache", DeclaredTypes("internal sealed class DecoderCache : IDisposable { }"));
        Assert.Equal("MusicGen", ExpectedType("src/Smitin.Engine/Models/MusicGen.Codec.cs"));
        Assert.Null(ExpectedType("src/Smitin.Engine/Steering/SteeringExtensions.cs"));
        Assert.Null(ExpectedType("src/Smitin.Cli/Program.cs"));
    }
}
