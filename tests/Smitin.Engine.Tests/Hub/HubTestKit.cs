using Smitin.Hub;
using Smitin.Tests.Support;

namespace Smitin.Tests.Hub;

/// <summary>Fixture files, temporary caches and options shared by the hub tests. Never writes next to the fixture.</summary>
static class HubTestKit
{
    /// <summary>The files a MusicGen folder needs, as in the fixture (it has spiece.model but no tokenizer.json).</summary>
    public static readonly string[] ModelFileNames =
    [
        "config.json", "generation_config.json", "preprocessor_config.json", "model.safetensors",
        "spiece.model", "special_tokens_map.json", "tokenizer_config.json",
    ];

    /// <summary>The read-only fixture folder (found by <see cref="Fixture"/>; honours SMITIN_FIXTURES).</summary>
    public static string FixtureDir => Fixture.Model();

    /// <summary>In-memory copies of the fixture's model files plus extra repository files that must never be fetched.</summary>
    public static Dictionary<string, byte[]> FixtureRepoFiles()
    {
        var files = ModelFileNames.ToDictionary(f => f, f => File.ReadAllBytes(Path.Combine(FixtureDir, f)));
        files["README.md"] = File.ReadAllBytes(Path.Combine(FixtureDir, "README.md"));
        files["reference.safetensors"] = File.ReadAllBytes(Path.Combine(FixtureDir, "reference.safetensors"));
        return files;
    }

    /// <summary>Options that touch only the given cache and server: no token, online, short timeout, no automatic retry.</summary>
    public static HubOptions Options(string cacheDir, FakeHubServer? server, int maxRetries = 0, bool offline = false, string token = "") => new()
    {
        CacheDir = cacheDir,
        Endpoint = server?.Endpoint ?? "http://127.0.0.1:9", // port 9 (discard) is never served: any request fails fast
        Token = token,
        Offline = offline,
        MaxRetries = maxRetries,
        Timeout = TimeSpan.FromSeconds(5),
    };

    /// <summary>Every file below <paramref name="dir"/> (symlinks included, not followed), relative, sorted.</summary>
    public static string[] Tree(string dir) =>
        Directory.Exists(dir)
            ? Directory.EnumerateFileSystemEntries(dir, "*", SearchOption.AllDirectories)
                .Where(p => !Directory.Exists(p) || new FileInfo(p).LinkTarget is not null)
                .Select(p => Path.GetRelativePath(dir, p)).Order(StringComparer.Ordinal).ToArray()
            : [];
}

/// <summary>Collects progress reports synchronously (Progress&lt;T&gt; would post them to the thread pool out of order).</summary>
sealed class ProgressLog : IProgress<DownloadProgress>
{
    readonly List<DownloadProgress> _items = new();
    public void Report(DownloadProgress value) { lock (_items) _items.Add(value); }
    public IReadOnlyList<DownloadProgress> Items { get { lock (_items) return _items.ToArray(); } }
}

