using Smitin.Audio;
using Smitin.Judging;
using TorchSharp;

namespace Smitin.Tests.Judging;

public class JudgeFeaturesTests
{
    static readonly JudgeFeatureOptions At16k = JudgeFeatureOptions.ForSampleRate(16000);

    /// <summary>A quiet 220 Hz tone plus (optionally) a click train: 2 clicks per second of white-noise bursts.</summary>
    static AudioClip Clip(bool clicks, double seconds = 3, int rate = 16000, int seed = 1)
    {
        var rng = new Random(seed);
        int n = (int)(seconds * rate);
        var x = new float[n];
        for (int t = 0; t < n; t++) x[t] = 0.1f * MathF.Sin(2 * MathF.PI * 220 * t / rate);
        if (clicks)
            for (int start = rate / 4; start + 400 < n; start += rate / 2)
                for (int t = 0; t < 400; t++) x[start + t] += (float)((rng.NextDouble() * 2 - 1) * 0.5 * Math.Exp(-t / 60.0));
        return AudioClip.Mono(x, rate);
    }

    [Fact]
    public void Defaults_follow_the_sample_rate_and_name_every_feature()
    {
        Assert.Equal((512, 128, 64, 8000.0), (At16k.NFft, At16k.HopLength, At16k.Mels, At16k.FMaxHz));
        var at32k = JudgeFeatureOptions.ForSampleRate(32000);
        Assert.Equal((1024, 256, 16000.0), (at32k.NFft, at32k.HopLength, at32k.FMaxHz));
        Assert.Equal(3 * 64 + 6 * 4, At16k.Dimension);
        var names = At16k.FeatureNames();
        Assert.Equal(At16k.Dimension, names.Count);
        Assert.Equal(names.Count, names.Distinct().Count());
        Assert.Equal("logmel_mean[0]", names[0]);
        Assert.Equal("logmel_std[0]", names[64]);
        Assert.Equal("flux_mean[0-200Hz]", names[128]);
        Assert.Equal("flux_p95[3000-8000Hz]", names[128 + 11]);
        Assert.Equal("periodicity[3000-8000Hz]", names[128 + 15]);
        Assert.Equal("logmel_delta_std[0]", names[144]);
        Assert.Equal("decay_mean[0-200Hz]", names[208]);
        Assert.Equal("peakiness[3000-8000Hz]", names[^1]);
    }

    [Fact]
    public void Features_are_deterministic_finite_and_batch_independent()
    {
        Native.TorchRuntime.Ensure();
        var a = Clip(true);
        var b = Clip(false);
        var batch = JudgeFeatures.Compute([a, b], At16k);
        Assert.Equal(2 * At16k.Dimension, batch.Length);
        Assert.All(batch, v => Assert.True(float.IsFinite(v)));
        Assert.Equal(batch, JudgeFeatures.Compute([a, b], At16k));            // bit-identical on a rerun
        var single = JudgeFeatures.Compute([b], At16k);
        for (int j = 0; j < At16k.Dimension; j++) Assert.Equal(single[j], batch[At16k.Dimension + j], 3);
    }

    [Fact]
    public void Features_do_not_depend_on_gain_and_a_resampled_clip_gives_close_features()
    {
        Native.TorchRuntime.Ensure();
        var clip = Clip(true);
        var f = JudgeFeatures.Compute([clip], At16k);
        var quiet = JudgeFeatures.Compute([clip.Scale(0.1f)], At16k);         // −20 dB
        // dB values subtract exactly in real arithmetic; float32 log10 of values ~1e-3..1e2 errs by < 1e-4 dB per bin.
        for (int j = 0; j < f.Length; j++) Assert.True(Math.Abs(f[j] - quiet[j]) < 2e-3, $"{At16k.FeatureNames()[j]}: {f[j]} vs {quiet[j]}");
        // Stereo at 32 kHz is conformed to mono at 16 kHz.
        var stereo32 = clip.Resample(32000).ToChannels(2);
        var g = JudgeFeatures.Compute([stereo32], At16k);
        Assert.Equal(f.Length, g.Length);
    }

    [Fact]
    public void Clicks_raise_high_band_flux_and_periodicity()
    {
        Native.TorchRuntime.Ensure();
        var names = At16k.FeatureNames().ToList();
        var f = JudgeFeatures.Compute([Clip(true), Clip(false)], At16k);
        int d = At16k.Dimension;
        // 2 clicks per second are 1.6 % of the 125 frames per second: they show in the flux mean and std (not the p95).
        int mean = names.IndexOf("flux_mean[3000-8000Hz]"), std = names.IndexOf("flux_std[3000-8000Hz]"), period = names.IndexOf("periodicity[3000-8000Hz]");
        Assert.True(f[mean] > 10 * Math.Max(f[d + mean], 0.01), $"flux mean with clicks {f[mean]}, without {f[d + mean]}");
        Assert.True(f[std] > 3 * Math.Max(f[d + std], 0.01), $"flux std with clicks {f[std]}, without {f[d + std]}");
        // Clicks every 0.5 s: the onset envelope's autocorrelation at a 0.5 s lag is near its zero-lag value.
        Assert.True(f[period] > 0.6, $"periodicity with clicks {f[period]}");
        Assert.True(f[period] > f[d + period] + 0.3, $"periodicity with clicks {f[period]}, without {f[d + period]}");
    }

    [Fact]
    public void Bad_audio_is_a_named_error()
    {
        Native.TorchRuntime.Ensure();
        var e = Assert.Throws<SmitinException>(() => JudgeFeatures.Compute([Clip(true, seconds: 0.5)], At16k));
        Assert.Contains("too short", e.Message);
        Assert.Contains("at least 1 s", e.Message);
        using var wrong = torch.zeros(2, 1, 16000);
        Assert.Contains("expected (batch, samples)", Assert.Throws<SmitinException>(() => JudgeFeatures.Compute(wrong, At16k)).Message);
        using var nan = torch.full(1, 16000, float.NaN);
        Assert.Contains("NaN", Assert.Throws<SmitinException>(() => JudgeFeatures.Compute(nan, At16k)).Message);
        Assert.Contains("n_fft", Assert.Throws<SmitinException>(() => (At16k with { NFft = 500 }).Validate()).Message);
        Assert.Contains("band_edges_hz[1]", Assert.Throws<SmitinException>(() => (At16k with { BandEdgesHz = [800, 200] }).Validate()).Message);
    }

    [Fact]
    public void Silence_gives_finite_features()
    {
        Native.TorchRuntime.Ensure();
        var f = JudgeFeatures.Compute([AudioClip.Silence(1, 32000, 16000)], At16k);
        Assert.All(f, v => Assert.True(float.IsFinite(v)));
    }
}
