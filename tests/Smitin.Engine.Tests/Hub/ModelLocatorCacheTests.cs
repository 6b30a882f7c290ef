using Smitin.Hub;
using static Smitin.Tests.Hub.HubTestKit;
using Smitin.Tests.Support;

namespace Smitin.Tests.Hub;

/// <summary>Caches written by Python tools, offline mode, and local folders.</summary>
public class ModelLocatorCacheTests
{
    const string Id = "facebook/musicgen-small";
    const string Commit = "5f1f4a2c9d3e8b7a6f5e4d3c2b1a09f8e7d6c5b4";

    /// <summary>
    /// Lays out a cache by hand exactly as huggingface_hub's snapshot_download writes it: content in blobs/{etag},
    /// snapshots/{commit}/{file} as relative symlinks ../../blobs/{etag}, refs/{revision} holding the commit
    /// without a newline, plus the lock folder it leaves behind.
    /// </summary>
    static string BuildPythonCache(string root, string revision = "main", IEnumerable<string>? files = null)
    {
        string repoDir = Path.Combine(root, "models--facebook--musicgen-small");
        string snapshot = Path.Combine(repoDir, "snapshots", Commit);
        Directory.CreateDirectory(Path.Combine(repoDir, "blobs"));
        Directory.CreateDirectory(snapshot);
        Directory.CreateDirectory(Path.Combine(root, ".locks", "models--facebook--musicgen-small"));
        foreach (string f in files ?? ModelFileNames)
        {
            byte[] data = File.ReadAllBytes(Path.Combine(FixtureDir, f));
            string etag = FakeHubServer.EtagOf(f, data);
            File.WriteAllBytes(Path.Combine(repoDir, "blobs", etag), data);
            File.CreateSymbolicLink(Path.Combine(snapshot, f), $"../../blobs/{etag}");
        }
        string refFile = Path.Combine(repoDir, "refs", revision);
        Directory.CreateDirectory(Path.GetDirectoryName(refFile)!);
        File.WriteAllText(refFile, Commit);
        return snapshot;
    }

    [Fact]
    public async Task CacheWrittenByPython_IsUsedWithoutAnyRequest()
    {
        await using var hub = new FakeHubServer();
        using var cache = new TempDir();
        string snapshot = BuildPythonCache(cache.Path);

        string dir = await ModelLocator.Resolve(Id, options: Options(cache.Path, hub));

        Assert.Equal(snapshot, dir);
        Assert.Empty(hub.Requests);
        Assert.Equal(File.ReadAllBytes(Path.Combine(FixtureDir, "model.safetensors")), File.ReadAllBytes(Path.Combine(dir, "model.safetensors")));
    }

    [Fact]
    public async Task CacheWrittenByPython_ResolvesTagsAndCommitHashes()
    {
        await using var hub = new FakeHubServer();
        using var cache = new TempDir();
        string snapshot = BuildPythonCache(cache.Path, revision: "v1.0");

        Assert.Equal(snapshot, await ModelLocator.Resolve(Id + "@v1.0", options: Options(cache.Path, hub)));
        Assert.Equal(snapshot, await ModelLocator.Resolve(Id, revision: "v1.0", options: Options(cache.Path, hub)));
        Assert.Equal(snapshot, await ModelLocator.Resolve(Id + "@" + Commit, options: Options(cache.Path, hub)));
        Assert.Empty(hub.Requests);
    }

    [Fact]
    public async Task IncompletePythonCache_IsCompletedFromTheHub()
    {
        await using var hub = new FakeHubServer();
        var repo = new FakeRepo { Id = Id, Commit = Commit, Files = FixtureRepoFiles() };
        hub.Add(repo);
        using var cache = new TempDir();
        BuildPythonCache(cache.Path, files: ["config.json", "spiece.model"]); // e.g. an interrupted Python download

        string dir = await ModelLocator.Resolve(Id, options: Options(cache.Path, hub));

        Assert.Equal(repo.Files["model.safetensors"], File.ReadAllBytes(Path.Combine(dir, "model.safetensors")));
        Assert.DoesNotContain(hub.Requests, r => r.Path.EndsWith("/config.json") || r.Path.EndsWith("/spiece.model"));
    }

    [Fact]
    public async Task Offline_WithoutCache_GivesAClearErrorAndMakesNoRequest()
    {
        await using var hub = new FakeHubServer();
        hub.Add(new FakeRepo { Id = Id, Files = FixtureRepoFiles() });
        using var cache = new TempDir();

        var e = await Assert.ThrowsAsync<HubException>(() => ModelLocator.Resolve(Id, options: Options(cache.Path, hub, offline: true)));

        Assert.Equal(HubErrorKind.OfflineNotCached, e.Kind);
        Assert.Contains("HF_HUB_OFFLINE", e.Message);
        Assert.Contains($"{Id}@main", e.Message);
        Assert.Contains(cache.Path, e.Message);
        Assert.Empty(hub.Requests);
    }

    [Fact]
    public async Task Offline_WithCachedSnapshot_ReturnsItWithoutRequests()
    {
        await using var hub = new FakeHubServer();
        var repo = new FakeRepo { Id = Id, Files = FixtureRepoFiles() };
        hub.Add(repo);
        using var cache = new TempDir();
        string dir = await ModelLocator.Resolve(Id, options: Options(cache.Path, hub));
        int requests = hub.Requests.Count;

        Assert.Equal(dir, await ModelLocator.Resolve(Id, options: Options(cache.Path, hub, offline: true)));
        Assert.Equal(dir, await ModelLocator.Resolve(Id + "@" + repo.Commit, options: Options(cache.Path, hub, offline: true)));
        Assert.Equal(requests, hub.Requests.Count);
    }

    [Fact]
    public async Task Offline_WithIncompleteSnapshot_ListsWhatIsMissing()
    {
        await using var hub = new FakeHubServer();
        using var cache = new TempDir();
        BuildPythonCache(cache.Path, files: ["config.json", "generation_config.json"]);

        var e = await Assert.ThrowsAsync<HubException>(() => ModelLocator.Resolve(Id, options: Options(cache.Path, hub, offline: true)));

        Assert.Equal(HubErrorKind.OfflineNotCached, e.Kind);
        Assert.Contains("model.safetensors", e.Message);
        Assert.Contains("spiece.model or tokenizer.json", e.Message);
        Assert.Empty(hub.Requests);
    }

    [Fact]
    public async Task LocalFolder_PassesThrough_WithoutTouchingTheCache()
    {
        using var cache = new TempDir();
        string dir = await ModelLocator.Resolve(FixtureDir, options: Options(cache.Path, server: null));
        Assert.Equal(Path.GetFullPath(FixtureDir), dir);
        Assert.Empty(Tree(cache.Path));
    }

    [Theory]
    [InlineData("/no/such/folder", "does not exist")]
    [InlineData("./missing-model", "does not exist")]
    [InlineData("facebook/musicgen--small", "'--' and '..' are not allowed")]
    [InlineData("a/b/c", "exactly one '/'")]
    [InlineData("facebook/musicgen-small@", "nothing follows '@'")]
    [InlineData("facebook/musicgen-small@../../x", "unsafe repository path")]
    public async Task BadModelArguments_AreRefusedWithTheReason(string model, string reason)
    {
        using var cache = new TempDir();
        var e = await Assert.ThrowsAnyAsync<SmitinException>(() => ModelLocator.Resolve(model, options: Options(cache.Path, server: null)));
        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public async Task AFile_IsRefusedAsAModel()
    {
        var e = await Assert.ThrowsAsync<SmitinException>(() => ModelLocator.Resolve(Path.Combine(FixtureDir, "config.json")));
        Assert.Contains("is a file", e.Message);
    }

    [Fact]
    public async Task ConflictingRevisions_AreRefused()
    {
        var e = await Assert.ThrowsAsync<SmitinException>(() => ModelLocator.Resolve(Id + "@v1", revision: "v2"));
        Assert.Contains("'v1'", e.Message);
        Assert.Contains("'v2'", e.Message);
    }
}
