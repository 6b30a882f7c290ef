using Smitin.Hub;
using static Smitin.Tests.Hub.HubTestKit;

namespace Smitin.Tests.Hub;

/// <summary>
/// Issue 17 item 7: the partial files an interrupted huggingface_hub leaves in a shared cache, in both namings
/// (<c>blobs/{etag}.incomplete</c> before 1.18, <c>blobs/{etag}.{8 hex}.incomplete</c> since), are resumed with a Range
/// request, and leftovers are removed, only while no process holds the blob's lock.
/// </summary>
public class PartialDownloadNamingTests
{
    const string Id = "facebook/musicgen-tiny";
    const string RepoFolder = "models--facebook--musicgen-tiny";

    static FakeRepo FixtureRepo() => new() { Id = Id, Files = FixtureRepoFiles() };
    static string Sha(FakeRepo repo, string file) => FakeHubServer.EtagOf(file, repo.Files[file]);
    static IEnumerable<SeenRequest> CdnGets(FakeHubServer hub, string file) =>
        hub.Requests.Where(r => r.Method == "GET" && r.Path.StartsWith("/cdn/") && r.Path.EndsWith("/" + file));

    [Theory]
    [InlineData("")]                 // huggingface_hub < 1.18
    [InlineData(".3f9a0c1e")]        // huggingface_hub >= 1.18
    public async Task A_partial_left_by_python_is_resumed_in_either_naming(string suffix)
    {
        await using var hub = new FakeHubServer();
        var repo = FixtureRepo();
        hub.Add(repo);
        using var cache = new TempDir();
        string blobs = Path.Combine(cache.Path, RepoFolder, "blobs");
        Directory.CreateDirectory(blobs);
        byte[] weights = repo.Files["model.safetensors"];
        File.WriteAllBytes(Path.Combine(blobs, $"{Sha(repo, "model.safetensors")}{suffix}.incomplete"), weights[..500_000]);

        string dir = await ModelLocator.Resolve(Id, options: Options(cache.Path, hub));

        Assert.Equal("bytes=500000-", Assert.Single(CdnGets(hub, "model.safetensors")).Headers["Range"]);
        Assert.Equal(weights, File.ReadAllBytes(Path.Combine(dir, "model.safetensors")));
        Assert.Empty(Directory.GetFiles(blobs, "*.incomplete"));
    }

    [Fact]
    public async Task Of_several_partials_the_longest_is_resumed_and_the_rest_removed()
    {
        await using var hub = new FakeHubServer();
        var repo = FixtureRepo();
        hub.Add(repo);
        using var cache = new TempDir();
        string blobs = Path.Combine(cache.Path, RepoFolder, "blobs");
        Directory.CreateDirectory(blobs);
        string etag = Sha(repo, "model.safetensors");
        byte[] weights = repo.Files["model.safetensors"];
        File.WriteAllBytes(Path.Combine(blobs, $"{etag}.incomplete"), weights[..100_000]);
        File.WriteAllBytes(Path.Combine(blobs, $"{etag}.0000beef.incomplete"), weights[..300_000]);
        File.WriteAllBytes(Path.Combine(blobs, $"{etag}.a1b2c3d4.incomplete"), weights[..200_000]);
        File.WriteAllBytes(Path.Combine(blobs, $"{etag}.notours.incomplete"), [1, 2, 3]);      // not a client's naming: left alone

        string dir = await ModelLocator.Resolve(Id, options: Options(cache.Path, hub));

        Assert.Equal("bytes=300000-", Assert.Single(CdnGets(hub, "model.safetensors")).Headers["Range"]);
        Assert.Equal(weights, File.ReadAllBytes(Path.Combine(dir, "model.safetensors")));
        Assert.Equal([$"{etag}.notours.incomplete"], Directory.GetFiles(blobs, "*.incomplete").Select(Path.GetFileName).ToArray());
    }

    [Fact]
    public async Task Leftovers_beside_a_complete_blob_are_removed_only_when_no_process_holds_the_lock()
    {
        await using var hub = new FakeHubServer();
        var repo = FixtureRepo();
        hub.Add(repo);
        using var cache = new TempDir();
        string dir = await ModelLocator.Resolve(Id, options: Options(cache.Path, hub));
        string blobs = Path.Combine(cache.Path, RepoFolder, "blobs");
        string etag = Sha(repo, "model.safetensors");
        string blob = Path.Combine(blobs, etag), lockPath = Path.Combine(cache.Path, ".locks", RepoFolder, etag + ".lock");
        string leftover = Path.Combine(blobs, $"{etag}.5e5e5e5e.incomplete");
        File.WriteAllBytes(leftover, [1, 2, 3]);

        using (new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))   // a Python download holds it
            Assert.False(BlobDownloader.CleanPartialsIfIdle(blob, lockPath));
        Assert.True(File.Exists(leftover));
        Assert.True(BlobDownloader.CleanPartialsIfIdle(blob, lockPath));
        Assert.False(File.Exists(leftover));
        Assert.Equal(repo.Files["model.safetensors"], File.ReadAllBytes(Path.Combine(dir, "model.safetensors")));
    }
}
