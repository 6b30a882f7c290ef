namespace Smitin.Interactive.Tests.Support;

/// <summary>Repository paths (the folder holding Smitin.sln above the test binaries) and the shared fixtures.</summary>
public static class Repo
{
    public static string Root
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Smitin.sln"))) return dir.FullName;
            throw new DirectoryNotFoundException("Smitin.sln not found above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>$SMITIN_FIXTURES, else the first shared/fixtures found walking up (as the engine tests do).</summary>
    public static string Fixtures
    {
        get
        {
            string? env = Environment.GetEnvironmentVariable("SMITIN_FIXTURES");
            if (!string.IsNullOrEmpty(env)) return env;
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                foreach (var candidate in new[] { Path.Combine(dir.FullName, "shared", "fixtures"), Path.Combine(dir.FullName, "..", "shared", "fixtures") })
                    if (Directory.Exists(candidate)) return Path.GetFullPath(candidate);
            }
            throw new DirectoryNotFoundException("shared/fixtures not found above " + AppContext.BaseDirectory + " (set SMITIN_FIXTURES)");
        }
    }

    public static string TinyModel => Path.Combine(Fixtures, "musicgen-tiny-mono");
}
