using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.Formatting;

namespace Smitin.Interactive;

/// <summary>
/// Binds magic results to C# variables (value sharing: a <see cref="SendValue"/> to the C# kernel carrying the
/// object itself, so no serialisation happens). Engine types need no extra reference: the C# kernel resolves
/// Smitin.Engine next to the extension assembly (NuGet variant: it is a package dependency).
/// </summary>
internal static class SmitinVariables
{
    /// <summary>The C# kernel of a composite (or the kernel itself), or null when there is none.</summary>
    internal static Kernel? CSharpKernel(Kernel root) =>
        root is CompositeKernel composite
            ? composite.ChildKernels.FirstOrDefault(k => k.Name == "csharp")
            : root.Name == "csharp" ? root : null;

    /// <summary>Declares (or overwrites) the C# variable <paramref name="name"/> with <paramref name="value"/>.</summary>
    internal static async Task BindAsync(Kernel root, string name, object value)
    {
        CheckName(name);
        var csharp = CSharpKernel(root)
            ?? throw new SmitinException("no C# kernel named 'csharp' in this notebook: cannot bind variables");
        // A plain-text placeholder keeps SendValue from JSON-serialising large engine objects (models, datasets).
        var placeholder = new FormattedValue(PlainTextFormatter.MimeType, value.GetType().FullName ?? name);
        var result = await csharp.SendAsync(new SendValue(name, value, placeholder));
        if (result.Events.OfType<Microsoft.DotNet.Interactive.Events.CommandFailed>().FirstOrDefault() is { } failed)
            throw new SmitinException($"could not bind C# variable '{name}': {failed.Message}");
    }

    /// <summary>Checks that <paramref name="name"/> can be a C# variable: an identifier that is not a reserved keyword.</summary>
    /// <exception cref="Magics.MagicUsageException">it cannot</exception>
    internal static void CheckName(string name)
    {
        if (!(name.Length > 0 && (char.IsLetter(name[0]) || name[0] == '_') && name.All(c => char.IsLetterOrDigit(c) || c == '_')))
            throw new Magics.MagicUsageException($"--var '{name}': expected a C# identifier (letters, digits and _, not starting with a digit)");
        if (ReservedKeywords.Contains(name))
            throw new Magics.MagicUsageException($"--var '{name}': a C# keyword cannot name a variable; pick another name (e.g. {name}1)");
    }

    /// <summary>C# reserved keywords (C# language specification, §6.4.4 "Keywords"); contextual keywords are valid names.</summary>
    static readonly HashSet<string> ReservedKeywords =
    [
        "abstract", "as", "base", "bool", "break", "byte", "case", "catch", "char", "checked", "class", "const", "continue",
        "decimal", "default", "delegate", "do", "double", "else", "enum", "event", "explicit", "extern", "false", "finally",
        "fixed", "float", "for", "foreach", "goto", "if", "implicit", "in", "int", "interface", "internal", "is", "lock",
        "long", "namespace", "new", "null", "object", "operator", "out", "override", "params", "private", "protected",
        "public", "readonly", "ref", "return", "sbyte", "sealed", "short", "sizeof", "stackalloc", "static", "string",
        "struct", "switch", "this", "throw", "true", "try", "typeof", "uint", "ulong", "unchecked", "unsafe", "ushort",
        "using", "virtual", "void", "volatile", "while",
    ];
}
