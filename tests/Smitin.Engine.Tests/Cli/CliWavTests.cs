using Smitin.Cli;
using Smitin.Tests.Support;

namespace Smitin.Tests.Cli;

public sealed class CliWavTests : IDisposable
{
    readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    static float[] Sine(int n, int rate, double hz, float amp = 0.5f) =>
        Enumerable.Range(0, n).Select(i => amp * (float)Math.Sin(2 * Math.PI * hz * i / rate)).ToArray();

    [Fact]
    public void Float32_round_trip_is_exact()
    {
        var x = Sine(3200, 32000, 440);
        x[10] = 1.7f; // float WAV keeps values beyond full scale
        string p = _dir.File("f32.wav");
        CliWav.Write(p, [x], 32000, pcm16: false);
        var back = CliWav.Read(p, 32000, 1, out string description);
        Assert.Equal(x, back[0]);
        Assert.Contains("32000 Hz", description);
        Assert.Contains("IeeeFloat", description);
    }

    [Fact]
    public void Pcm16_round_trip_within_one_step_and_clips()
    {
        var x = Sine(3200, 32000, 440);
        x[10] = 1.7f;
        string p = _dir.File("s16.wav");
        CliWav.Write(p, [x], 32000, pcm16: true);
        var back = CliWav.Read(p, 32000, 1, out string description)[0];
        Assert.Contains("16-bit Pcm", description);
        Assert.InRange(back[10], 0.999f, 1f);
        for (int i = 0; i < x.Length; i++)
            if (i != 10) Assert.True(Math.Abs(back[i] - x[i]) <= 2.0 / 32768, $"sample {i}: {back[i]} vs {x[i]}");
    }

    [Fact]
    public void Resamples_to_the_model_rate_and_matches_channels()
    {
        string p = _dir.File("16k.wav");
        var x = Sine(16000, 16000, 220);
        CliWav.Write(p, [x, x.Select(v => -v).ToArray()], 16000, pcm16: false);
        var mono = CliWav.Read(p, 32000, 1, out _);                  // stereo 16 kHz -> mono 32 kHz: (L + R)/2 = 0
        Assert.Single(mono);
        Assert.InRange(mono[0].Length, 31900, 32100);
        Assert.True(mono[0].Max(Math.Abs) < 1e-3, "opposite channels average to silence");

        string q = _dir.File("mono.wav");
        CliWav.Write(q, [x], 16000, pcm16: false);
        var stereo = CliWav.Read(q, 32000, 2, out _);                // mono -> stereo duplicates
        Assert.Equal(2, stereo.Length);
        Assert.Equal(stereo[0], stereo[1]);
        Assert.InRange(stereo[0].Max(Math.Abs), 0.45f, 0.55f);       // pitch/level preserved by the resampler
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("RIFF\u0004\0\0\0WAVE")]
    public void Unreadable_wav_is_a_named_error(string content)
    {
        string p = _dir.File("bad.wav");
        File.WriteAllText(p, content);
        var e = Assert.Throws<SmitinException>(() => CliWav.Read(p, 32000, 1, out _));
        Assert.Contains(p, e.Message);
        Assert.Contains("unreadable WAV", e.Message);
    }

    [Fact]
    public void Missing_wav_is_a_named_error()
    {
        var e = Assert.Throws<SmitinException>(() => CliWav.Read(_dir.File("none.wav"), 32000, 1, out _));
        Assert.Contains("none.wav", e.Message);
    }
}
