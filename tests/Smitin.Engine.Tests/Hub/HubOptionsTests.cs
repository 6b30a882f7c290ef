using Smitin.Hub;
using Smitin.Tests.Support;

namespace Smitin.Tests.Hub;

/// <summary>Environment variables are read as Python's huggingface_hub reads them (through a fake environment; the process env is never touched).</summary>
public class HubOptionsTests
{
    static readonly string Home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);

    static HubSettings Settle(HubOptions options, params (string Name, string Value)[] env)
    {
        var map = env.ToDictionary(e => e.Name, e => e.Value);
        return options.Settle(name => map.GetValueOrDefault(name));
    }

    [Fact]
    public void Defaults_AreTheStandardCacheAndHub()
    {
        var s = Settle(new HubOptions { Token = "" });
        Assert.Equal(Path.Combine(Home, ".cache", "huggingface", "hub"), s.CacheDir);
        Assert.Equal("https://huggingface.co", s.EndpointBase);
        Assert.False(s.Offline);
        Assert.Null(s.Token);
        Assert.Equal(TimeSpan.FromSeconds(10), s.Timeout);
    }

    [Fact]
    public void CacheDir_Precedence_HfHubCache_Legacy_HfHome_Xdg()
    {
        Assert.Equal("/x/hub-cache", Settle(new(), ("HF_HUB_CACHE", "/x/hub-cache"), ("HUGGINGFACE_HUB_CACHE", "/y"), ("HF_HOME", "/z")).CacheDir);
        Assert.Equal("/y", Settle(new(), ("HUGGINGFACE_HUB_CACHE", "/y"), ("HF_HOME", "/z")).CacheDir);
        Assert.Equal("/z/hub", Settle(new(), ("HF_HOME", "/z"), ("XDG_CACHE_HOME", "/w")).CacheDir);
        Assert.Equal("/w/huggingface/hub", Settle(new(), ("XDG_CACHE_HOME", "/w")).CacheDir);
        Assert.Equal(Path.Combine(Home, "models", "hub"), Settle(new(), ("HF_HOME", "~/models")).CacheDir);
        Assert.Equal("/explicit", Settle(new() { CacheDir = "/explicit" }, ("HF_HUB_CACHE", "/x")).CacheDir);
    }

    [Fact]
    public void Endpoint_ComesFromHfEndpoint_WithoutTrailingSlash()
    {
        Assert.Equal("http://127.0.0.1:8080/mirror", Settle(new(), ("HF_ENDPOINT", "http://127.0.0.1:8080/mirror/")).EndpointBase);
        var e = Assert.Throws<SmitinException>(() => Settle(new(), ("HF_ENDPOINT", "ftp://nope")));
        Assert.Contains("HF_ENDPOINT", e.Message);
    }

    [Theory]
    [InlineData("1", true)]
    [InlineData("true", true)]
    [InlineData("YES", true)]
    [InlineData("on", true)]
    [InlineData("0", false)]
    [InlineData("false", false)]
    public void Offline_AcceptsPythonsTrueValues(string value, bool offline)
    {
        Assert.Equal(offline, Settle(new(), ("HF_HUB_OFFLINE", value)).Offline);
        Assert.Equal(offline, Settle(new(), ("TRANSFORMERS_OFFLINE", value)).Offline);
        Assert.False(Settle(new() { Offline = false }, ("HF_HUB_OFFLINE", value)).Offline); // an explicit option wins
    }

    [Fact]
    public void Token_Precedence_EnvThenLegacyEnvThenLoginFile()
    {
        using var home = new TempDir();
        File.WriteAllText(Path.Combine(home.Path, "token"), "hf_from_file\n");

        Assert.Equal("hf_env", Settle(new(), ("HF_TOKEN", "hf_env"), ("HUGGING_FACE_HUB_TOKEN", "hf_legacy"), ("HF_HOME", home.Path)).Token);
        Assert.Equal("hf_legacy", Settle(new(), ("HUGGING_FACE_HUB_TOKEN", "hf_legacy"), ("HF_HOME", home.Path)).Token);
        Assert.Equal("hf_from_file", Settle(new(), ("HF_HOME", home.Path)).Token);
        Assert.Null(Settle(new() { Token = "" }, ("HF_TOKEN", "hf_env")).Token); // "" = send no token
    }

    [Fact]
    public void Timeout_ComesFromHfHubDownloadTimeout()
    {
        Assert.Equal(TimeSpan.FromSeconds(2.5), Settle(new(), ("HF_HUB_DOWNLOAD_TIMEOUT", "2.5")).Timeout);
        Assert.Throws<SmitinException>(() => Settle(new(), ("HF_HUB_DOWNLOAD_TIMEOUT", "soon")));
    }
}
