namespace Smitin.Tests.Support;

/// <summary>The repository checkout the tests run from (the folder holding <c>Smitin.sln</c>).</summary>
public static class RepoPaths
{
    /// <summary>Absolute path of the repository root.</summary>
    /// <exception cref="DirectoryNotFoundException">no <c>Smitin.sln</c> above the test binaries</exception>
    public static string Root
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Smitin.sln"))) return dir.FullName;
            throw new DirectoryNotFoundException("Smitin.sln not found above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>Every C# source file under <paramref name="folder"/> (relative to the root), build output excluded.</summary>
    public static IEnumerable<string> SourceFiles(string folder) =>
        Directory.EnumerateFiles(Path.Combine(Root, folder), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"))
            .Order(StringComparer.Ordinal);
}
