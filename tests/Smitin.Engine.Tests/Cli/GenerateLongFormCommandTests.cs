using NAudio.Wave;
using Smitin.Audio;
using Smitin.Tests.Support;
using TorchSharp;

namespace Smitin.Tests.Cli;

/// <summary><c>smitin generate</c> past the model's window and with <c>--stream</c>, on the fixture (509 frames per window).</summary>
[Collection(SerialCollection.Name)]
public sealed class GenerateLongFormCommandTests : IDisposable
{
    readonly TempDir _dir = new();
    public GenerateLongFormCommandTests() => Native.TorchRuntime.Ensure();
    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task SixtySecondsIsOneFileOfSixtySeconds()
    {
        string wav = _dir.File("sixty.wav");
        var (code, err) = await CliHost.RunCapturingErrors("generate", "--model", Fixture.Model(), "--text", "rock", "--duration", "60",
            "--seed", "1", "--top-k", "16", "--out", wav);
        Assert.True(code == 0, err);
        var info = AudioClip.ReadInfo(wav);
        Assert.InRange(info.Frames, 60 * 32000 - 640, 60 * 32000 + 640);                        // ± one codec frame
        Assert.Contains("3000 frames (60 s) in 10 windows of up to 509 frames", err);
    }

    [Fact]
    public async Task AnOverlongMaxNewTokensIsRefusedWithTheNumbers()
    {
        var (code, err) = await CliHost.RunCapturingErrors("generate", "--model", Fixture.Model(), "--text", "rock", "--max-new-tokens", "700", "--out", _dir.File("x.wav"));
        Assert.Equal(1, code);
        Assert.Contains("max-new-tokens 700 with 0 prompt frames asks for 697 frames", err);
        Assert.Contains("holds 509 frames", err);
        Assert.False(File.Exists(_dir.File("x.wav")));
        (code, err) = await CliHost.RunCapturingErrors("generate", "--model", Fixture.Model(), "--text", "rock", "--play-steps", "5", "--out", _dir.File("x.wav"));
        Assert.Equal(1, code);
        Assert.Contains("--play-steps sets the chunk size of --stream", err);
    }

    [Fact]
    public async Task StreamWritesAWavThatNAudioReadsWhileItGrowsAndEndsAsTheOneShotAudio()
    {
        string streamed = _dir.File("streamed.wav"), plain = _dir.File("plain.wav");
        string[] common = ["generate", "--model", Fixture.Model(), "--text", "rock", "--duration", "16", "--seed", "4", "--top-k", "16"];
        var run = Task.Run(() => CliHost.RunCapturingErrors([.. common, "--stream", "--play-steps", "10", "--out", streamed]));

        // read the growing file as a player would, while the command runs
        var lengths = new List<long>();
        var buffer = new byte[1 << 16];                          // reused: little garbage (see docs/generation.md, TorchSharp scalars)
        while (!run.IsCompleted)
        {
            if (File.Exists(streamed))
            {
                using var stream = new FileStream(streamed, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                using var reader = new WaveFileReader(stream);                                   // throws on an invalid file
                Assert.Equal(0, reader.Length % reader.WaveFormat.BlockAlign);
                long got = 0;
                for (int n; (n = reader.Read(buffer, 0, buffer.Length)) > 0;) got += n;
                Assert.Equal(reader.Length, got);                                                // every declared byte is there
                if (!run.IsCompleted && (lengths.Count == 0 || lengths[^1] != reader.Length)) lengths.Add(reader.Length);
            }
            await Task.Delay(30);
        }
        var (code, err) = await run;
        Assert.True(code == 0, err);
        Assert.True(lengths.Count(l => l > 0) >= 3, $"NAudio read the growing WAV at {lengths.Count(l => l > 0)} distinct non-empty lengths during generation: {string.Join(", ", lengths)}");
        Assert.Matches(@"chunk 0: 0\.00-\d\.\d\d s of audio, latency \d+\.\d{3} s", err);
        Assert.Contains(", last", err);

        (code, err) = await CliHost.RunCapturingErrors([.. common, "--out", plain]);
        Assert.True(code == 0, err);
        var a = AudioClip.Load(streamed);
        var b = AudioClip.Load(plain);
        Assert.Equal(b.Frames, a.Frames);
        double max = 0;
        for (int i = 0; i < a.Frames; i++) max = Math.Max(max, Math.Abs(a.Samples[0][i] - b.Samples[0][i]));
        Assert.True(max <= 1e-4, $"streamed vs one-shot WAV: max |diff| {max:E2}");
    }
}
