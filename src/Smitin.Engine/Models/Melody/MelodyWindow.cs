using Smitin.Audio;

namespace Smitin.Models.Melody;

/// <summary>
/// The stretch of a melody that conditions one window of a long-form generation, as audiocraft's
/// <c>MusicGen._generate_tokens</c> cuts it for every window (<c>ref_wav[..., positions % wav_length]</c> with
/// positions starting at the window's time offset): the melody read periodically from the window's start. The stretch
/// is at most one window long and never longer than the melody itself (a shorter melody is then repeated by the chroma
/// tiling, as in a single-window generation), so the first window of a melody no longer than a window is the melody
/// unchanged and a single-window generation keeps its parity with the reference.
/// </summary>
public static class MelodyWindow
{
    /// <param name="melody">the whole melody, any rate and channel count</param>
    /// <param name="offsetSeconds">time of the window's first frame in the piece (≥ 0)</param>
    /// <param name="windowSeconds">window length (&gt; 0)</param>
    /// <returns>a new clip of min(melody length, window) samples at the melody's rate</returns>
    /// <exception cref="SmitinException">an empty melody, a negative offset or a non-positive window</exception>
    public static AudioClip Stretch(AudioClip melody, double offsetSeconds, double windowSeconds)
    {
        if (melody.Frames == 0) throw new SmitinException("melody: the clip has no samples");
        if (!(offsetSeconds >= 0) || double.IsInfinity(offsetSeconds)) throw new SmitinException($"melody window: offset must be ≥ 0 seconds, got {offsetSeconds}");
        if (!(windowSeconds > 0) || double.IsInfinity(windowSeconds)) throw new SmitinException($"melody window: length must be > 0 seconds, got {windowSeconds}");
        int n = melody.Frames;
        long offset = (long)Math.Round(offsetSeconds * melody.SampleRate);
        int length = (int)Math.Min(n, Math.Max(1, Math.Round(windowSeconds * melody.SampleRate)));
        var channels = new float[melody.Channels][];
        for (int c = 0; c < channels.Length; c++)
        {
            var src = melody.Samples[c];
            var dst = channels[c] = new float[length];
            int start = (int)(offset % n);
            for (int i = 0; i < length; i++) dst[i] = src[(start + i) % n];
        }
        return new AudioClip(channels, melody.SampleRate);
    }
}
