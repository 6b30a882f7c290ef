using System.Text;
using Smitin.Hub;
using static Smitin.Tests.Hub.HubTestKit;
using Smitin.Tests.Support;

namespace Smitin.Tests.Hub;

/// <summary>Downloads from a local fake hub: layout, resume, verification, selection of files.</summary>
public class ModelLocatorDownloadTests
{
    const string Id = "facebook/musicgen-tiny";
    const string RepoFolder = "models--facebook--musicgen-tiny";

    static FakeRepo FixtureRepo() => new() { Id = Id, Files = FixtureRepoFiles() };

    static string Sha(FakeRepo repo, string file) => FakeHubServer.EtagOf(file, repo.Files[file]);

    static IEnumerable<SeenRequest> CdnGets(FakeHubServer hub, string file) =>
        hub.Requests.Where(r => r.Method == "GET" && r.Path.StartsWith("/cdn/") && r.Path.EndsWith("/" + file));

    [Fact]
    public async Task FreshDownload_WritesThePythonCacheLayout_AndOnlyTheModelFiles()
    {
        await using var hub = new FakeHubServer();
        var repo = FixtureRepo();
        hub.Add(repo);
        using var cache = new TempDir();
        var log = new ProgressLog();

        string dir = await ModelLocator.Resolve(Id, options: Options(cache.Path, hub), progress: log);

        string repoDir = Path.Combine(cache.Path, RepoFolder);
        Assert.Equal(Path.Combine(repoDir, "snapshots", repo.Commit), dir);
        foreach (string f in ModelFileNames)
        {
            string pointer = Path.Combine(dir, f);
            Assert.Equal($"../../blobs/{Sha(repo, f)}", new FileInfo(pointer).LinkTarget); // relative symlink, as Python makes it
            Assert.Equal(repo.Files[f], File.ReadAllBytes(pointer));
            Assert.Contains(log.Items, p => p.File == f && p.Phase == DownloadPhase.Completed && p.BytesDone == repo.Files[f].Length && p.TotalBytes == p.BytesDone);
        }
        // LFS blobs are named by sha256 (64 hex), regular files by git blob sha1 (40 hex).
        Assert.Equal(64, Sha(repo, "model.safetensors").Length);
        Assert.Equal(40, Sha(repo, "config.json").Length);
        Assert.Equal(ModelFileNames.Select(f => Sha(repo, f)).Order(StringComparer.Ordinal),
            Directory.GetFiles(Path.Combine(repoDir, "blobs")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(repo.Commit, File.ReadAllText(Path.Combine(repoDir, "refs", "main"))); // 40 hex, no newline
        Assert.True(File.Exists(Path.Combine(repoDir, ".no_exist", repo.Commit, "tokenizer.json"))); // absent file recorded like Python
        Assert.DoesNotContain(hub.Requests, r => r.Path.Contains("README") || r.Path.Contains("reference"));

        int requests = hub.Requests.Count;
        Assert.Equal(dir, await ModelLocator.Resolve(Id, options: Options(cache.Path, hub)));
        Assert.Equal(requests, hub.Requests.Count); // the complete snapshot is used without asking the hub
    }

    [Fact]
    public async Task InterruptedTransfer_KeepsThePartialFile_AndTheNextRunResumesWithRange()
    {
        await using var hub = new FakeHubServer();
        var repo = FixtureRepo();
        hub.Add(repo);
        hub.CutTransfers("model.safetensors", bytes: 400_000, times: 1);
        using var cache = new TempDir();
        string blobs = Path.Combine(cache.Path, RepoFolder, "blobs");
        string incomplete = Path.Combine(blobs, Sha(repo, "model.safetensors") + ".incomplete");

        var e = await Assert.ThrowsAsync<HubException>(() => ModelLocator.Resolve(Id, options: Options(cache.Path, hub)));

        Assert.Equal(HubErrorKind.Network, e.Kind);
        Assert.Contains("model.safetensors", e.Message);
        Assert.Contains($"400,000 of {repo.Files["model.safetensors"].Length:N0} bytes were kept in {incomplete}", e.Message);
        Assert.Contains("resume", e.Message);
        Assert.Contains("config.json", e.Message[e.Message.IndexOf("Already complete", StringComparison.Ordinal)..]);
        Assert.Equal(repo.Files["model.safetensors"][..400_000], File.ReadAllBytes(incomplete));
        Assert.False(File.Exists(Path.Combine(cache.Path, RepoFolder, "refs", "main")));

        string dir = await ModelLocator.Resolve(Id, options: Options(cache.Path, hub));

        var gets = CdnGets(hub, "model.safetensors").ToList();
        Assert.Equal(2, gets.Count);
        Assert.False(gets[0].Headers.ContainsKey("Range"));
        Assert.Equal("bytes=400000-", gets[1].Headers["Range"]);
        Assert.Equal(repo.Files["model.safetensors"], File.ReadAllBytes(Path.Combine(dir, "model.safetensors")));
        Assert.Empty(Directory.GetFiles(blobs, "*.incomplete"));
    }

    [Fact]
    public async Task BrokenConnections_AreResumedWithinOneCall_WhenRetriesAreAllowed()
    {
        await using var hub = new FakeHubServer();
        var repo = FixtureRepo();
        hub.Add(repo);
        hub.CutTransfers("model.safetensors", bytes: 300_000, times: 2);
        using var cache = new TempDir();
        var log = new ProgressLog();

        string dir = await ModelLocator.Resolve(Id, options: Options(cache.Path, hub, maxRetries: 3), progress: log);

        Assert.Equal(repo.Files["model.safetensors"], File.ReadAllBytes(Path.Combine(dir, "model.safetensors")));
        Assert.Equal([null, "bytes=300000-", "bytes=600000-"],
            CdnGets(hub, "model.safetensors").Select(r => r.Headers.GetValueOrDefault("Range")).ToArray());
        Assert.Equal([300_000L, 600_000L],
            log.Items.Where(p => p.Phase == DownloadPhase.Retrying).Select(p => p.BytesDone).ToArray());
    }

    [Fact]
    public async Task Cancelling_KeepsThePartialFile_ForTheNextRun()
    {
        await using var hub = new FakeHubServer();
        var repo = FixtureRepo();
        hub.Add(repo);
        var paused = hub.PauseTransfer("model.safetensors", bytes: 700_000);
        using var cache = new TempDir();
        using var cts = new CancellationTokenSource();
        string incomplete = Path.Combine(cache.Path, RepoFolder, "blobs", Sha(repo, "model.safetensors") + ".incomplete");

        var resolve = ModelLocator.Resolve(Id, options: Options(cache.Path, hub) with { Timeout = TimeSpan.FromSeconds(30) }, ct: cts.Token);
        await paused.WaitAsync(TimeSpan.FromSeconds(20));
        for (int i = 0; i < 200 && !(File.Exists(incomplete) && new FileInfo(incomplete).Length == 700_000); i++) await Task.Delay(25);
        cts.Cancel(); // like Ctrl+C while bytes are still expected

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => resolve);
        Assert.Equal(repo.Files["model.safetensors"][..700_000], File.ReadAllBytes(incomplete));

        string dir = await ModelLocator.Resolve(Id, options: Options(cache.Path, hub));
        Assert.Equal("bytes=700000-", CdnGets(hub, "model.safetensors").Last().Headers["Range"]);
        Assert.Equal(repo.Files["model.safetensors"], File.ReadAllBytes(Path.Combine(dir, "model.safetensors")));
    }

    [Fact]
    public async Task ConcurrentResolves_OfOneCache_DownloadEachBlobOnce()
    {
        await using var hub = new FakeHubServer();
        var repo = FixtureRepo();
        hub.Add(repo);
        using var cache = new TempDir();

        string[] dirs = await Task.WhenAll(
            Task.Run(() => ModelLocator.Resolve(Id, options: Options(cache.Path, hub))),
            Task.Run(() => ModelLocator.Resolve(Id, options: Options(cache.Path, hub))));

        Assert.Equal(dirs[0], dirs[1]);
        Assert.Single(CdnGets(hub, "model.safetensors"));
        Assert.Equal(repo.Files["model.safetensors"], File.ReadAllBytes(Path.Combine(dirs[0], "model.safetensors")));
    }

    [Fact]
    public async Task ExpiredCdnLink_IsANetworkError_AndARetryAsksTheHubForAFreshLink()
    {
        await using var hub = new FakeHubServer { CdnHost = "localhost", RefuseCdnOnce = "model.safetensors" };
        var repo = FixtureRepo();
        hub.Add(repo);
        using var cache = new TempDir();

        var e = await Assert.ThrowsAsync<HubException>(() => ModelLocator.Resolve(Id, options: Options(cache.Path, hub)));
        Assert.Equal(HubErrorKind.Network, e.Kind); // not "gated": the hub itself never refused
        Assert.Contains("refused the download link for model.safetensors (HTTP 403)", e.Message);

        hub.RefuseCdnOnce = "model.safetensors";
        string dir = await ModelLocator.Resolve(Id, options: Options(cache.Path, hub, maxRetries: 1));
        Assert.Equal(repo.Files["model.safetensors"], File.ReadAllBytes(Path.Combine(dir, "model.safetensors")));
        Assert.Equal(3, hub.Requests.Count(r => r.Method == "HEAD" && r.Path.EndsWith("/model.safetensors"))); // one per run + one fresh link
    }

    [Fact]
    public async Task ServerIgnoringRange_RestartsFromZero_AndStillVerifies()
    {
        await using var hub = new FakeHubServer { IgnoreRange = true };
        var repo = FixtureRepo();
        hub.Add(repo);
        hub.CutTransfers("model.safetensors", bytes: 500_000, times: 1);
        using var cache = new TempDir();

        string dir = await ModelLocator.Resolve(Id, options: Options(cache.Path, hub, maxRetries: 1));

        Assert.Equal(repo.Files["model.safetensors"], File.ReadAllBytes(Path.Combine(dir, "model.safetensors")));
        Assert.Equal("bytes=500000-", CdnGets(hub, "model.safetensors").Last().Headers["Range"]);
    }

    [Theory]
    [InlineData("model.safetensors", "sha256")]   // LFS file: checked against X-Linked-Etag
    [InlineData("config.json", "git-sha1")]       // regular file: checked against its git blob id
    public async Task OneCorruptedByte_IsRejected_AndNothingOfItStaysInTheCache(string file, string algorithm)
    {
        await using var hub = new FakeHubServer { CorruptFile = file };
        var repo = FixtureRepo();
        hub.Add(repo);
        using var cache = new TempDir();
        string repoDir = Path.Combine(cache.Path, RepoFolder);

        var e = await Assert.ThrowsAsync<HubException>(() => ModelLocator.Resolve(Id, options: Options(cache.Path, hub, maxRetries: 2)));

        Assert.Equal(HubErrorKind.Integrity, e.Kind);
        Assert.Contains(file, e.Message);
        Assert.Contains($"{algorithm} {Sha(repo, file)}", e.Message);
        Assert.Contains("nothing was added to the cache", e.Message);
        string blobs = Path.Combine(repoDir, "blobs");
        Assert.DoesNotContain(Sha(repo, file), Directory.GetFiles(blobs).Select(Path.GetFileName));
        Assert.Empty(Directory.GetFiles(blobs, "*.incomplete"));
        Assert.False(File.Exists(Path.Combine(repoDir, "snapshots", repo.Commit, file)));
        Assert.False(File.Exists(Path.Combine(repoDir, "refs", "main")));

        hub.CorruptFile = null; // the cache is not poisoned: a clean transfer succeeds
        string dir = await ModelLocator.Resolve(Id, options: Options(cache.Path, hub));
        Assert.Equal(repo.Files[file], File.ReadAllBytes(Path.Combine(dir, file)));
    }

    [Fact]
    public async Task ShardedWeights_FetchTheIndexAndEveryShard_NeverThePickle()
    {
        await using var hub = new FakeHubServer();
        var fixture = FixtureRepoFiles();
        byte[] weights = fixture["model.safetensors"];
        const string shard1 = "model-00001-of-00002.safetensors", shard2 = "model-00002-of-00002.safetensors";
        string index = $$$"""{"metadata": {"total_size": {{{weights.Length}}}}, "weight_map": {"a.weight": "{{{shard1}}}", "b.weight": "{{{shard2}}}", "c.weight": "{{{shard1}}}"}}""";
        var repo = new FakeRepo
        {
            Id = Id,
            Files = new()
            {
                ["config.json"] = fixture["config.json"], ["spiece.model"] = fixture["spiece.model"],
                ["model.safetensors.index.json"] = Encoding.UTF8.GetBytes(index),
                [shard1] = weights[..600_000], [shard2] = weights[600_000..],
                ["pytorch_model.bin"] = [1, 2, 3],
            },
        };
        hub.Add(repo);
        using var cache = new TempDir();

        string dir = await ModelLocator.Resolve(Id, options: Options(cache.Path, hub));

        Assert.Equal(["config.json", shard1, shard2, "model.safetensors.index.json", "spiece.model"], Tree(dir));
        Assert.Equal(repo.Files[shard2], File.ReadAllBytes(Path.Combine(dir, shard2)));
        Assert.DoesNotContain(hub.Requests, r => r.Path.Contains("pytorch_model.bin"));
    }

    [Fact]
    public async Task IndexNamingAMissingShard_IsAClearError()
    {
        await using var hub = new FakeHubServer();
        var fixture = FixtureRepoFiles();
        hub.Add(new FakeRepo
        {
            Id = Id,
            Files = new()
            {
                ["config.json"] = fixture["config.json"],
                ["model.safetensors.index.json"] = Encoding.UTF8.GetBytes("""{"weight_map": {"a": "model-00001-of-00002.safetensors"}}"""),
            },
        });
        using var cache = new TempDir();

        var e = await Assert.ThrowsAsync<HubException>(() => ModelLocator.Resolve(Id, options: Options(cache.Path, hub)));

        Assert.Equal(HubErrorKind.NotFound, e.Kind);
        Assert.Contains("model-00001-of-00002.safetensors", e.Message);
    }

    [Fact]
    public async Task PickleOnlyRepository_IsRefusedWithConversionAdvice_BeforeAnyDownload()
    {
        await using var hub = new FakeHubServer();
        var fixture = FixtureRepoFiles();
        hub.Add(new FakeRepo
        {
            Id = Id,
            Files = new() { ["config.json"] = fixture["config.json"], ["spiece.model"] = fixture["spiece.model"], ["pytorch_model.bin"] = [1, 2, 3] },
        });
        using var cache = new TempDir();

        var e = await Assert.ThrowsAsync<HubException>(() => ModelLocator.Resolve(Id, options: Options(cache.Path, hub)));

        Assert.Equal(HubErrorKind.Unsupported, e.Kind);
        Assert.Contains("pytorch_model.bin", e.Message);
        Assert.Contains("safetensors", e.Message);
        Assert.Contains("save_pretrained(", e.Message);
        Assert.Single(hub.Requests); // only the revision listing
        Assert.Empty(Tree(Path.Combine(cache.Path, RepoFolder, "blobs")));
    }

    [Fact]
    public async Task Token_GoesToTheHub_ButNeverToTheCdnHost()
    {
        await using var hub = new FakeHubServer { CdnHost = "localhost" };
        var repo = new FakeRepo { Id = Id, Files = FixtureRepoFiles(), Token = "hf_secret" };
        hub.Add(repo);
        using var cache = new TempDir();

        string dir = await ModelLocator.Resolve(Id, options: Options(cache.Path, hub, token: "hf_secret"));

        Assert.Equal(repo.Files["model.safetensors"], File.ReadAllBytes(Path.Combine(dir, "model.safetensors")));
        var (cdn, hubSide) = (hub.Requests.Where(r => r.Path.StartsWith("/cdn/")).ToList(), hub.Requests.Where(r => !r.Path.StartsWith("/cdn/")).ToList());
        Assert.NotEmpty(cdn);
        Assert.All(cdn, r => Assert.False(r.Headers.ContainsKey("Authorization")));
        Assert.All(hubSide, r => Assert.Equal("Bearer hf_secret", r.Headers["Authorization"]));
    }

    [Fact]
    public async Task Refresh_FollowsAMovedBranch_AndReusesUnchangedBlobs()
    {
        await using var hub = new FakeHubServer();
        var v1 = FixtureRepo();
        hub.Add(v1);
        using var cache = new TempDir();
        string first = await ModelLocator.Resolve(Id, options: Options(cache.Path, hub));

        var files = FixtureRepoFiles();
        files["generation_config.json"] = Encoding.UTF8.GetBytes("""{"guidance_scale": 4.0}""");
        var v2 = new FakeRepo { Id = Id, Files = files };
        hub.Add(v2); // main moved to a new commit with one changed file

        string stale = await ModelLocator.Resolve(Id, options: Options(cache.Path, hub));
        string fresh = await ModelLocator.Resolve(Id, options: Options(cache.Path, hub) with { Refresh = true });

        Assert.Equal(first, stale);
        Assert.EndsWith(v2.Commit, fresh);
        Assert.Equal(files["generation_config.json"], File.ReadAllBytes(Path.Combine(fresh, "generation_config.json")));
        Assert.Single(CdnGets(hub, "model.safetensors")); // the weights blob was linked, not downloaded again
        Assert.Equal(v2.Commit, File.ReadAllText(Path.Combine(cache.Path, RepoFolder, "refs", "main")));
        Assert.True(Directory.Exists(first)); // the old snapshot stays
    }
}
