using Smitin.Audio;
using Smitin.Native;
using TorchSharp;

namespace Smitin.Tests.Audio;

public class AudioClipOpsTests
{
    [Fact]
    public void Resampling_44k1_to_32k_keeps_frequency_duration_and_timing()
    {
        // 2 s at 44.1 kHz: 0.5 s of silence, then a 1 kHz tone.
        var x = TestSignals.Sine(1000, 2.0, 44100, amp: 0.5f, startSeconds: 0.5);
        var y = AudioClip.Mono(x, 44100).Resample(32000);
        Assert.Equal(32000, y.SampleRate);
        Assert.Equal(64000, y.Frames);                          // duration kept exactly
        double f = TestSignals.ZeroCrossingFrequency(y.Samples[0], 32000, from: 24000, to: 60000);
        Assert.InRange(f, 999.5, 1000.5);                      // frequency kept
        int onset = TestSignals.FirstAbove(y.Samples[0], 0.05f);
        Assert.InRange(onset, 16000 - 32, 16000 + 32);          // no time shift beyond 1 ms
        Assert.InRange(y.Samples[0].Skip(20000).Take(40000).Max(), 0.48f, 0.52f); // level kept
    }

    [Fact]
    public void Resampling_stereo_keeps_channels_apart()
    {
        var clip = new AudioClip([TestSignals.Sine(500, 1, 48000), new float[48000]], 48000);
        var y = clip.Resample(16000);
        Assert.Equal(16000, y.Frames);
        Assert.True(y.Samples[0].Skip(1000).Max() > 0.4f);
        Assert.True(y.Samples[1].Max(Math.Abs) < 1e-6f);
    }

    [Fact]
    public void Downmix_is_the_mean_and_upmix_copies()
    {
        var st = new AudioClip([[1f, 0.5f], [0f, -0.5f]], 8000);
        Assert.Equal(new[] { 0.5f, 0f }, st.ToMono().Samples[0]);
        Assert.Equal(new[] { 0.5f, 0f }, st.ToChannels(1).Samples[0]);
        var up = AudioClip.Mono([0.25f, -1f], 8000).ToChannels(2);
        Assert.Equal(2, up.Channels);
        Assert.Equal(new[] { 0.25f, -1f }, up.Samples[0]);
        Assert.Equal(new[] { 0.25f, -1f }, up.Samples[1]);
        Assert.Throws<SmitinException>(() => st.ToChannels(3));
    }

    [Fact]
    public void Conform_converts_channels_then_rate_and_leaves_a_matching_clip_alone()
    {
        var stereo = new AudioClip([Enumerable.Range(0, 4410).Select(i => (float)Math.Sin(i * 0.05)).ToArray(), new float[4410]], 44100);
        var conformed = stereo.Conform(1, 32000);
        Assert.Equal((1, 32000, 3200), (conformed.Channels, conformed.SampleRate, conformed.Frames));
        // the same as the explicit path: downmix (mean) first, then resample
        Assert.Equal(stereo.ToMono().Resample(32000).Samples[0], conformed.Samples[0]);
        Assert.Same(conformed, conformed.Conform(1, 32000));                   // nothing to do: no copy
        Assert.Same(stereo, stereo.Conform(null, null));
        Assert.Equal(2, stereo.Conform(null, 16000).Channels);                  // null keeps the clip's own
        Assert.Throws<SmitinException>(() => stereo.Conform(3, null));          // 2 -> 3 is not defined
    }

    [Fact]
    public void Normalisation_by_peak_and_by_rms_with_a_ceiling()
    {
        var clip = AudioClip.Mono(TestSignals.Sine(200, 0.5, 8000, amp: 0.1f), 8000);
        Assert.Equal(0.5f, clip.Normalize(LoudnessMode.Peak, 20 * Math.Log10(0.5)).Peak(), 3);
        var rms = clip.Normalize(LoudnessMode.Rms, -20);
        Assert.Equal(-20, rms.RmsDbfs(), 2);
        // A sine at -1 dBFS RMS would peak above full scale: the ceiling wins.
        var loud = clip.Normalize(LoudnessMode.Rms, -1, peakCeilingDbfs: -0.1);
        Assert.Equal(Math.Pow(10, -0.1 / 20), loud.Peak(), 3);
        Assert.Equal(0, AudioClip.Silence(1, 10, 8000).Normalize(LoudnessMode.Rms, -20).Peak());
    }

    [Fact]
    public void Slice_pad_trim_and_arithmetic()
    {
        var clip = AudioClip.Mono([1, 2, 3, 4, 5], 10);
        Assert.Equal(new[] { 2f, 3f }, clip.Slice(1, 2).Samples[0]);
        Assert.Equal(new[] { 3f, 4f, 5f }, clip.SliceSeconds(0.2, 0.3).Samples[0]);
        Assert.Throws<ArgumentOutOfRangeException>(() => clip.Slice(4, 2));
        Assert.Equal(new[] { 1f, 2f, 3f, 4f, 5f, 0f }, clip.PadOrTrim(6).Samples[0]);
        Assert.Equal(new[] { 1f, 2f }, clip.PadOrTrim(2).Samples[0]);
        Assert.Equal(new[] { 0f, 0f, 0f, 0f, 0f }, clip.Subtract(clip).Samples[0]);
        Assert.Equal(new[] { 2f, 4f, 6f, 8f, 10f }, clip.Add(clip).Samples[0]);
        var e = Assert.Throws<SmitinException>(() => clip.Add(AudioClip.Mono([1, 2], 10)));
        Assert.Contains("5 frames", e.Message);
        Assert.Equal(new[] { 1f, 2f, 3f, 4f, 5f }, clip.Samples[0]); // inputs untouched
    }

    [Fact]
    public void Interleaving_round_trip()
    {
        var clip = AudioClip.FromInterleaved([1, -1, 2, -2, 3, -3], 2, 100);
        Assert.Equal(new[] { 1f, 2f, 3f }, clip.Samples[0]);
        Assert.Equal(new[] { -1f, -2f, -3f }, clip.Samples[1]);
        Assert.Equal(new[] { 1f, -1f, 2f, -2f, 3f, -3f }, clip.ToInterleaved());
        Assert.Throws<ArgumentException>(() => AudioClip.FromInterleaved([1, 2, 3], 2, 100));
    }

    [Fact]
    public void Tensor_round_trip_has_shape_channels_by_time()
    {
        TorchRuntime.Ensure();
        var clip = new AudioClip([[1f, 2f, 3f], [4f, 5f, 6f]], 32000);
        using var t = clip.ToTensor();
        Assert.Equal(new long[] { 2, 3 }, t.shape);
        Assert.Equal(6f, t[1, 2].item<float>());
        var back = AudioClip.FromTensor(t, 32000);
        Assert.Equal(clip.Samples[1], back.Samples[1]);
        using var batched = t.unsqueeze(0);
        Assert.Equal(2, AudioClip.FromTensor(batched, 32000).Channels);
        using var mono = torch.arange(4, torch.float64);
        Assert.Equal(new[] { 0f, 1f, 2f, 3f }, AudioClip.FromTensor(mono, 10).Samples[0]);
        using var bad = torch.tensor(new[] { 1f, float.NaN });
        Assert.Contains("'x'", Assert.Throws<SmitinException>(() => AudioClip.FromTensor(bad, 10, "x")).Message);
        using var four = torch.zeros(2, 2, 2, 2);
        Assert.Throws<SmitinException>(() => AudioClip.FromTensor(four, 10));
    }
}
