using Smitin.Audio;

namespace Smitin.Data;

/// <summary>Window arithmetic shared by the segment sources.</summary>
static class SegmentWindows
{
    /// <summary>Start frames of every full window of <paramref name="length"/> frames, <paramref name="hop"/> apart.</summary>
    public static List<int> Starts(long frames, int length, int hop)
    {
        var starts = new List<int>();
        for (long s = 0; s + length <= frames; s += hop) starts.Add((int)s);
        return starts;
    }

    /// <summary>Number of full windows <see cref="Starts"/> gives, without listing them.</summary>
    public static long WindowCount(long frames, int length, int hop) => frames < length ? 0 : (frames - length) / hop + 1;

    /// <summary>Frames of a <paramref name="frames"/>-frame file at <paramref name="rate"/> Hz once resampled to
    /// <paramref name="outRate"/> (null = kept), rounded up: an upper bound of what the resampler returns.</summary>
    public static long ResampledFrames(long frames, int rate, int? outRate) =>
        outRate is not { } r || r == rate ? frames : (long)Math.Ceiling((double)frames * r / rate);

    /// <summary>At most <paramref name="max"/> items, evenly spaced over the list (all of them if max is null).</summary>
    public static List<T> EvenlySpaced<T>(List<T> items, int? max)
    {
        if (max is not { } m || items.Count <= m) return items;
        var picked = new List<T>(m);
        for (int i = 0; i < m; i++) picked.Add(items[(int)((i + 0.5) * items.Count / m)]);
        return picked;
    }

    /// <summary>RMS in dBFS of frames [start, start + length) over all channels (−∞ for digital silence).</summary>
    public static double RmsDbfs(AudioClip clip, int start, int length)
    {
        double sum = 0;
        foreach (var ch in clip.Samples)
            for (int t = start; t < start + length; t++) sum += (double)ch[t] * ch[t];
        return 10 * Math.Log10(sum / ((double)length * clip.Channels));
    }

    public static int Frames(double seconds, int rate) => (int)Math.Round(seconds * rate);
}
