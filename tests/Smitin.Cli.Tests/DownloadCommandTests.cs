using System.Diagnostics;
using Smitin.Tests.Hub;
using Smitin.Tests.Support;

namespace Smitin.Tests.Cli;

/// <summary><c>smitin download</c> end to end: a child process pointed at the fake hub through HF_* variables (set on the child only).</summary>
public class DownloadCommandTests
{
    static async Task<(int Exit, string Out, string Err)> RunSmitinAsync(string cacheDir, string endpoint, params string[] args)
    {
        var psi = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "smitin.dll"));
        foreach (string a in args) psi.ArgumentList.Add(a);
        psi.Environment["HF_HUB_CACHE"] = cacheDir;
        psi.Environment["HF_HOME"] = cacheDir; // no token file from the real home
        psi.Environment["HF_ENDPOINT"] = endpoint;
        foreach (string v in new[] { "HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HF_TOKEN_PATH", "HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE" })
            psi.Environment.Remove(v);

        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    [Fact]
    public async Task Download_PrintsProgressToStderr_AndTheFolderToStdout()
    {
        await using var hub = new FakeHubServer();
        var repo = new FakeRepo { Id = "facebook/musicgen-tiny", Files = HubTestKit.FixtureRepoFiles() };
        hub.Add(repo);
        using var cache = new TempDir();

        var (exit, stdout, stderr) = await RunSmitinAsync(cache.Path, hub.Endpoint, "download", "facebook/musicgen-tiny", "--revision", "main");

        Assert.True(exit == 0, stderr);
        string dir = Path.Combine(cache.Path, "models--facebook--musicgen-tiny", "snapshots", repo.Commit);
        Assert.Equal(dir, stdout.Trim());
        Assert.Contains("model.safetensors", stderr);
        Assert.Contains("done (hash verified)", stderr);
        Assert.Equal(repo.Files["model.safetensors"], File.ReadAllBytes(Path.Combine(dir, "model.safetensors")));
    }

    [Fact]
    public async Task Download_OfAnUnknownRepo_FailsWithOneLineAndExitCode1()
    {
        await using var hub = new FakeHubServer();
        using var cache = new TempDir();

        var (exit, stdout, stderr) = await RunSmitinAsync(cache.Path, hub.Endpoint, "download", "nobody/nothing");

        Assert.Equal(1, exit);
        Assert.Equal("", stdout);
        Assert.StartsWith("smitin: error: repository nobody/nothing was not found", stderr);
    }

    [Fact]
    public async Task Encode_AcceptsAHubId_ResolvedThroughTheCache()
    {
        await using var hub = new FakeHubServer();
        hub.Add(new FakeRepo { Id = "facebook/musicgen-tiny", Files = HubTestKit.FixtureRepoFiles() });
        using var cache = new TempDir();
        using var reference = Fixture.Reference();
        string wav = cache.File("signal.wav"), codes = cache.File("codes.json");
        using (var x = reference.Read("encodec.input_values"))
            Smitin.Audio.AudioClip.FromTensor(x, 32000).Save(wav, Smitin.Audio.WavEncoding.Float32);

        var (exit, _, stderr) = await RunSmitinAsync(cache.Path, hub.Endpoint, "encode", "--model", "facebook/musicgen-tiny", wav, "--codes-out", codes);

        Assert.True(exit == 0, stderr);
        using var expected = reference.Read("encodec.audio_codes");      // (1, 1, K, F)
        using var got = Smitin.IO.CodesJson.Read(codes);                 // (1, K, F)
        TensorAssert.Equal(expected[0], got, "codes of a hub-id model");
    }
}
