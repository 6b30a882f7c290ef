using Smitin.Hub;
using static Smitin.Tests.Hub.HubTestKit;
using Smitin.Tests.Support;

namespace Smitin.Tests.Hub;

/// <summary>401, 403, 404 and an unreachable hub give errors that say what to do, and leave nothing behind.</summary>
public class ModelLocatorErrorTests
{
    const string Id = "facebook/musicgen-tiny";

    static async Task<(HubException Error, string Cache)> FailAsync(FakeHubServer? hub, string model, string token = "")
    {
        var cache = Directory.CreateTempSubdirectory("smitin-hub-test-").FullName;
        try
        {
            var e = await Assert.ThrowsAsync<HubException>(() => ModelLocator.Resolve(model, options: Options(cache, hub, token: token)));
            Assert.Empty(Tree(Path.Combine(cache, "models--facebook--musicgen-tiny", "blobs")));
            Assert.Empty(Tree(Path.Combine(cache, "models--facebook--musicgen-tiny", "refs")));
            return (e, cache);
        }
        finally { Directory.Delete(cache, recursive: true); }
    }

    [Fact]
    public async Task PrivateRepo_WithoutToken_Is401_AndNamesHfToken()
    {
        await using var hub = new FakeHubServer();
        hub.Add(new FakeRepo { Id = Id, Files = FixtureRepoFiles(), Token = "hf_right" });

        var (e, _) = await FailAsync(hub, Id);

        Assert.Equal(HubErrorKind.Unauthorized, e.Kind);
        Assert.Contains("HTTP 401", e.Message);
        Assert.Contains("Set HF_TOKEN", e.Message);
        Assert.Contains(Id, e.Message);
    }

    [Fact]
    public async Task WrongToken_Is401_AndSaysTheTokenWasRejected()
    {
        await using var hub = new FakeHubServer();
        hub.Add(new FakeRepo { Id = Id, Files = FixtureRepoFiles(), Token = "hf_right" });

        var (e, _) = await FailAsync(hub, Id, token: "hf_wrong");

        Assert.Equal(HubErrorKind.Unauthorized, e.Kind);
        Assert.Contains("rejected the token", e.Message);
    }

    [Fact]
    public async Task GatedRepo_Is403_AndSaysToAcceptTheConditions()
    {
        await using var hub = new FakeHubServer();
        hub.Add(new FakeRepo { Id = Id, Files = FixtureRepoFiles(), Token = "hf_right", Gated = true });

        var (e, _) = await FailAsync(hub, Id, token: "hf_right");

        Assert.Equal(HubErrorKind.AccessDenied, e.Kind);
        Assert.Contains("GatedRepo", e.Message);
        Assert.Contains($"{hub.Endpoint}/{Id}", e.Message);
        Assert.Contains("accept its conditions", e.Message);
    }

    [Fact]
    public async Task UnknownRepo_Is404_AndNamesTheRepo()
    {
        await using var hub = new FakeHubServer();

        var (e, _) = await FailAsync(hub, Id);

        Assert.Equal(HubErrorKind.NotFound, e.Kind);
        Assert.Contains($"repository {Id} was not found", e.Message);
    }

    [Fact]
    public async Task UnknownRevision_Is404_AndNamesTheRevision()
    {
        await using var hub = new FakeHubServer();
        hub.Add(new FakeRepo { Id = Id, Files = FixtureRepoFiles() });

        var (e, _) = await FailAsync(hub, Id + "@v9.9");

        Assert.Equal(HubErrorKind.NotFound, e.Kind);
        Assert.Contains("revision 'v9.9' does not exist", e.Message);
    }

    [Fact]
    public async Task UnreachableHub_WithEmptyCache_SaysNothingWasDownloaded()
    {
        var (e, _) = await FailAsync(hub: null, Id);

        Assert.Equal(HubErrorKind.Network, e.Kind);
        Assert.Contains("cannot reach 127.0.0.1:9", e.Message);
        Assert.Contains("Nothing was downloaded", e.Message);
        Assert.Contains("HF_HUB_OFFLINE", e.Message);
    }

    [Fact]
    public async Task UnreachableHub_DuringRefresh_FallsBackToTheCompleteCachedSnapshot()
    {
        using var cache = new TempDir();
        string dir;
        await using (var hub = new FakeHubServer())
        {
            hub.Add(new FakeRepo { Id = Id, Files = FixtureRepoFiles() });
            dir = await ModelLocator.Resolve(Id, options: Options(cache.Path, hub));
        }

        string again = await ModelLocator.Resolve(Id, options: Options(cache.Path, server: null) with { Refresh = true });

        Assert.Equal(dir, again);
    }
}
