using System.Text;
using Smitin.Hub;

namespace Smitin.Tests.Hub;

public class HubRepoIdTests
{
    [Theory]
    [InlineData("facebook/musicgen-small", "facebook", "musicgen-small", null)]
    [InlineData("facebook/musicgen-small@main", "facebook", "musicgen-small", "main")]
    [InlineData("user_1/my.model-v2@refs/pr/3", "user_1", "my.model-v2", "refs/pr/3")]
    public void ValidIds_Parse(string text, string owner, string name, string? revision)
    {
        Assert.True(HubRepoId.TryParse(text, out var id, out var rev, out _));
        Assert.Equal((owner, name, revision), (id.Owner, id.Name, rev));
        Assert.Equal($"models--{owner}--{name}", id.CacheFolderName);
    }

    [Theory]
    [InlineData("musicgen-small")]
    [InlineData("a/b/c")]
    [InlineData("facebook/-musicgen")]
    [InlineData("facebook/musicgen.")]
    [InlineData("face--book/musicgen")]
    [InlineData("facebook/music..gen")]
    [InlineData("facebook/music gen")]
    [InlineData("/musicgen")]
    public void InvalidIds_AreRejected(string text)
    {
        Assert.False(HubRepoId.TryParse(text, out _, out _, out string error));
        Assert.NotEmpty(error);
    }

    [Fact]
    public void OverlongIds_AreRejected() =>
        Assert.False(HubRepoId.TryParse("o/" + new string('n', 95), out _, out _, out _));
}

public class ContentHashTests
{
    [Fact]
    public void GitBlobId_MatchesGitHashObject()
    {
        // `printf 'hello\n' | git hash-object --stdin` = ce013625030ba8dba906f756967f9e9ca394464a
        byte[] data = Encoding.ASCII.GetBytes("hello\n");
        using var hash = ContentHash.For("ce013625030ba8dba906f756967f9e9ca394464a", data.Length);
        hash.Append(data);
        Assert.Equal("git-sha1", hash.Algorithm);
        Assert.Equal(hash.Expected, hash.Finish());
    }

    [Fact]
    public void Sha256Etag_IsCheckedAsSha256()
    {
        byte[] data = Encoding.ASCII.GetBytes("hello\n");
        string sha = "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03";
        using var hash = ContentHash.For(sha, data.Length);
        hash.Append(data);
        Assert.Equal("sha256", hash.Algorithm);
        Assert.Equal(sha, hash.Finish());
    }

    [Fact]
    public void OtherEtags_AreNotHashChecked()
    {
        using var hash = ContentHash.For("abc-123", 5);
        Assert.Equal("none", hash.Algorithm);
        Assert.Null(hash.Finish());
    }

    [Theory]
    [InlineData("\"abc\"", "abc")]
    [InlineData("W/\"abc\"", "abc")]
    [InlineData("abc", "abc")]
    public void Etags_AreNormalizedLikePython(string header, string etag) => Assert.Equal(etag, HubClient.NormalizeEtag(header));
}
