using Smitin.Audio;
using Smitin.Data;

namespace Smitin.Tests.Probing;

/// <summary>
/// Matched pairs with a trait planted in the audio, for the fixture's tiny random codec + LM. Every "track" is a
/// random chord of three sine tones (110-830 Hz) plus a little noise; its positive adds a sustained 3 kHz tone
/// (amplitude 0.6, a "tone band"), its negative is the chord alone. Why a tone: measured on the fixture with 3 s
/// segments, a click track (8 clicks/s) changes 14-56 % of the codes but leaves the last-position heads at chance
/// (mean class-mean distance 0.05 vs a spread of 0.4), while the sustained tone shifts every frame's codes and the
/// probes reach 0.8-0.98 validation accuracy.
/// </summary>
static class PlantedTrait
{
    public const int Rate = 32000;

    /// <summary>Pairs of <paramref name="tracks"/> tracks, split by track with <see cref="TrackSplit"/>.</summary>
    public static (List<Segment> Train, List<Segment> Validation) Pairs(int tracks, double seconds, double validationFraction, int seed)
    {
        var ids = Enumerable.Range(0, tracks).Select(i => $"track{i:D3}").ToArray();
        var (trainIds, valIds) = TrackSplit.Split(ids, validationFraction, seed);
        return (trainIds.SelectMany(id => Pair(id, seconds)).ToList(), valIds.SelectMany(id => Pair(id, seconds)).ToList());
    }

    /// <summary>(with tone, without) for one track; deterministic in the track id.</summary>
    public static (AudioClip With, AudioClip Without) Clips(string trackId, double seconds)
    {
        var rng = new Random(int.Parse(trackId[5..]) * 7919 + 17);
        int n = (int)(seconds * Rate);
        var chord = new float[n];
        for (int k = 0; k < 3; k++)
        {
            double hz = 110 * Math.Pow(2, rng.Next(0, 36) / 12.0), amp = 0.08 + 0.12 * rng.NextDouble(), phase = rng.NextDouble() * 2 * Math.PI;
            for (int t = 0; t < n; t++) chord[t] += (float)(amp * Math.Sin(2 * Math.PI * hz * t / Rate + phase));
        }
        for (int t = 0; t < n; t++) chord[t] += (float)(0.02 * (rng.NextDouble() * 2 - 1));
        var withTone = (float[])chord.Clone();
        double tonePhase = rng.NextDouble() * 2 * Math.PI;
        for (int t = 0; t < n; t++) withTone[t] += (float)(0.6 * Math.Sin(2 * Math.PI * 3000 * t / Rate + tonePhase));
        return (AudioClip.Mono(withTone, Rate), AudioClip.Mono(chord, Rate));
    }

    static IEnumerable<Segment> Pair(string trackId, double seconds)
    {
        var (with, without) = Clips(trackId, seconds);
        yield return new Segment(with, true, trackId, 0, "chord + 3 kHz tone");
        yield return new Segment(without, false, trackId, 0, "chord");
    }
}
