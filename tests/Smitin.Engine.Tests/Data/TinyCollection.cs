using Smitin.Audio;
using Smitin.Tests.Audio;

namespace Smitin.Tests.Data;

/// <summary>Builds small MUSDB18-HQ / MoisesDB style collections of synthetic stems inside a test.</summary>
static class TinyCollection
{
    public const int Rate = 16000;

    /// <summary>Drums = noise bursts (optionally silent after <paramref name="drumsUntil"/> s), bass 80 Hz, other 600 Hz, vocals 300 Hz; stereo.</summary>
    public static Dictionary<string, AudioClip> Stems(int seed, double seconds, double? drumsUntil = null)
    {
        int n = (int)(seconds * Rate);
        var drums = new float[2][];
        for (int c = 0; c < 2; c++)
        {
            var noise = TestSignals.Noise(n, seed * 10 + c, 0.4f);
            for (int i = 0; i < n; i++)
            {
                double t = (double)i / Rate;
                double env = Math.Exp(-((t * 4) % 1) * 12);         // a hit every 0.25 s
                if (drumsUntil is { } u && t >= u) env = 0;
                noise[i] = (float)(noise[i] * env);
            }
            drums[c] = noise;
        }
        AudioClip Tone(double hz, float amp) => new([TestSignals.Sine(hz, seconds, Rate, amp), TestSignals.Sine(hz, seconds, Rate, amp * 0.8f)], Rate);
        return new()
        {
            ["drums"] = new AudioClip(drums, Rate),
            ["bass"] = Tone(80 + seed, 0.3f),
            ["other"] = Tone(600 + seed, 0.1f),
            ["vocals"] = Tone(300 + seed, 0.2f),
        };
    }

    public static void WriteMusdbTrack(string dir, Dictionary<string, AudioClip> stems, bool withMixture = true)
    {
        Directory.CreateDirectory(dir);
        foreach (var (name, clip) in stems) clip.Save(Path.Combine(dir, name + ".wav"), WavEncoding.Float32);
        if (withMixture) stems.Values.Aggregate((a, b) => a.Add(b)).Save(Path.Combine(dir, "mixture.wav"));
    }

    /// <summary>A MUSDB18-HQ-style collection of <paramref name="tracks"/> songs of <paramref name="seconds"/> s.</summary>
    public static void WriteMusdb(string root, int tracks, double seconds)
    {
        for (int i = 0; i < tracks; i++) WriteMusdbTrack(Path.Combine(root, $"Song {i:D2}"), Stems(i, seconds));
    }
}
