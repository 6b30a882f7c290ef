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
        if (!IsIdentifier(name))
            throw new Magics.MagicUsageException($"--var must be a C# identifier, got '{name}'");
        var csharp = CSharpKernel(root)
            ?? throw new SmitinException("no C# kernel named 'csharp' in this notebook: cannot bind variables");
        // A plain-text placeholder keeps SendValue from JSON-serialising large engine objects (models, datasets).
        var placeholder = new FormattedValue(PlainTextFormatter.MimeType, value.GetType().FullName ?? name);
        var result = await csharp.SendAsync(new SendValue(name, value, placeholder));
        if (result.Events.OfType<Microsoft.DotNet.Interactive.Events.CommandFailed>().FirstOrDefault() is { } failed)
            throw new SmitinException($"could not bind C# variable '{name}': {failed.Message}");
    }

    static bool IsIdentifier(string name) =>
        name.Length > 0 && (char.IsLetter(name[0]) || name[0] == '_') && name.All(c => char.IsLetterOrDigit(c) || c == '_');
}
