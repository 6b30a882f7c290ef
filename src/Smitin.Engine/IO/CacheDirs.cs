namespace Smitin;

/// <summary>
/// Where Smitin keeps caches: <c>$SMITIN_CACHE</c>, else <c>$XDG_CACHE_HOME/smitin</c>, else
/// <c>~/.cache/smitin</c>. Never next to a model folder (model folders may be read-only).
/// </summary>
public static class CacheDirs
{
    /// <summary>The cache root (created on first use): <c>$SMITIN_CACHE</c>, <c>$XDG_CACHE_HOME/smitin</c> or
    /// <c>~/.cache/smitin</c>.</summary>
    public static string Root
    {
        get
        {
            string? explicitDir = Environment.GetEnvironmentVariable("SMITIN_CACHE");
            if (!string.IsNullOrWhiteSpace(explicitDir)) return explicitDir;
            string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            string baseDir = !string.IsNullOrWhiteSpace(xdg)
                ? xdg
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
            if (string.IsNullOrWhiteSpace(baseDir) || baseDir == ".cache") baseDir = Path.Combine(Path.GetTempPath(), "smitin-cache");
            return Path.Combine(baseDir, "smitin");
        }
    }
}
