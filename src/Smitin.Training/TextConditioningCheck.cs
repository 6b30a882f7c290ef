using Smitin.Data.Synth;
using Smitin.Generation;
using Smitin.Judging;
using Smitin.Models;

namespace Smitin.Training;

/// <summary>
/// Does the text reach the music? For <c>n</c> held-out songs that have drums, generates from text alone the song's
/// description with its drums ("... with drums, ...") and its matched description without them ("...; no drums"),
/// one clip each (fixed seeds, batched, the checkpoint's guidance), and lets the trait judge (not the probes, not the
/// LM) say which clips have drums. Issue 11 asks for ≥ 40 points between the two rates at n ≥ 50. Each description
/// is generated <c>clipsPerText</c> times with different seeds: with 60 held-out songs one clip each gives a standard
/// error of about 8.5 points on the difference, two clips about 6.
/// </summary>
public static class TextConditioningCheck
{
    /// <summary>Rates of clips the judge calls positive; <c>N</c> clips per side (<c>Songs</c> × <c>ClipsPerText</c>).</summary>
    public sealed record Result(string Trait, int N, int Songs, int ClipsPerText, double Seconds, long Seed, double Guidance,
        double RateWith, double[] CiWith, double RateWithout, double[] CiWithout, double Difference);

    /// <exception cref="SmitinException">no held-out song has the judge's stem and another stem.</exception>
    public static Result Run(MusicGen model, TraitJudge judge, SongCorpus songs, int n, double seconds, long seed,
        IProgress<string>? progress, CancellationToken cancel, int clipsPerText = 1)
    {
        if (clipsPerText < 1) throw new ArgumentOutOfRangeException(nameof(clipsPerText), clipsPerText, "must be at least 1");
        string trait = judge.Trait;
        var picked = songs.Songs.Where(s => s.Stems.ContainsKey(trait) && s.Stems.Count > 1).Take(n).ToList();
        if (picked.Count == 0) throw new SmitinException($"no held-out song has the stem '{trait}' and another stem");
        // clip j of song i is item j·songs + i: every repeat is a new batch with its own seeds
        var with = Enumerable.Repeat(0, clipsPerText).SelectMany(_ => picked.Select(s => SongCorpus.Describe(s, s.Stems.Keys.ToArray()))).ToList();
        var without = Enumerable.Repeat(0, clipsPerText).SelectMany(_ => picked.Select(s => SongCorpus.Describe(s, s.Stems.Keys.Where(k => k != trait).ToArray()))).ToList();
        double Rate(List<string> texts, long batchSeed, string label)
        {
            int hits = 0;
            for (int start = 0; start < texts.Count; start += 16)
            {
                cancel.ThrowIfCancellationRequested();
                var chunk = texts.Skip(start).Take(16).ToList();
                using var result = model.Generate(chunk, new GenerationOptions
                {
                    DurationSeconds = seconds, Seed = batchSeed + start, GuidanceScale = model.Config.GuidanceScale,
                });
                hits += judge.Probabilities(result.Audio!, result.SampleRate).Count(p => p >= judge.Threshold);
                progress?.Report($"text check: {label} {Math.Min(start + 16, texts.Count)}/{texts.Count}");
            }
            return (double)hits / texts.Count;
        }
        double rw = Rate(with, seed, "with " + trait), ro = Rate(without, seed, "no " + trait);
        int total = with.Count;
        return new Result(trait, total, picked.Count, clipsPerText, seconds, seed, model.Config.GuidanceScale,
            rw, Wilson(rw, total), ro, Wilson(ro, total), rw - ro);
    }

    static double[] Wilson(double rate, int n)
    {
        var (lo, hi) = Evaluation.BinomialInterval.Wilson((int)Math.Round(rate * n), n);
        return [lo, hi];
    }
}
