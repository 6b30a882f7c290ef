using System.Diagnostics;
using System.Globalization;
using Smitin.Audio;
using Smitin.Data;
using Smitin.Models;
using Smitin.Probing;
using TorchSharp;
using static TorchSharp.torch;

namespace Smitin.Judging;

// Training: matched stem pairs → windows → (codec reconstructions) → features → standardise → ML.NET L-BFGS.
public sealed partial class TraitJudge
{
    /// <summary>One labelled training or held-out clip.</summary>
    sealed record Example(AudioClip Clip, bool Label, string Song, bool HeldOut, bool Reconstruction);

    /// <summary>
    /// Trains a judge for <see cref="TraitJudgeOptions.Trait"/> from a stem collection (e.g. the synthetic generator's
    /// songs). Songs that have the trait stem and at least one other stem are split by song into train and held-out.
    /// Every window of a song gives a matched pair: the mixture (positive) and the mixture without the trait stem
    /// (negative); training windows also give <see cref="TraitJudgeOptions.SubsetPairsPerWindow"/> pairs over random
    /// subsets of the other stems. With a <paramref name="model"/> and <see cref="TraitJudgeOptions.CalibrateOnCodec"/>,
    /// every clip is also passed through the model's codec (<see cref="MusicGen.EncodeAudio"/> →
    /// <see cref="MusicGen.DecodeCodes"/>) and the reconstructions are trained on too, so the judge does not under-call
    /// traits after the codec; the report scores held-out originals and reconstructions separately.
    /// </summary>
    /// <param name="model">Model whose rate (and codec) the judge is for; null = no codec, rate from the options or the collection.</param>
    /// <param name="stemFolder">Stem collection in the MUSDB18-HQ or MoisesDB layout (<see cref="StemCollection"/>).</param>
    /// <exception cref="SmitinException">Bad options, no usable songs (fewer than two with the trait and another stem),
    /// a rate that disagrees with the model, or a held-out set without both classes.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="ct"/> was cancelled.</exception>
    /// <param name="progress">stage and counts</param>
    /// <param name="options">window, subsets, regularisation, seed and split</param>
    /// <param name="ct">cancels between clips</param>
    public static TraitJudge Train(MusicGen? model, string stemFolder, TraitJudgeOptions options,
                                   IProgress<JudgeProgress>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        int seed = RandomSeed.Resolve(options.Seed);                                   // recorded in the report
        var clock = Stopwatch.StartNew();
        var collection = StemCollection.Open(stemFolder);
        string trait = options.Trait;
        if (model is not null && options.SampleRate is { } given && given != model.SampleRate)
            throw new SmitinException($"judge option SampleRate = {given} Hz, but the model runs at {model.SampleRate} Hz; leave it unset with a model");
        int rate = model?.SampleRate ?? options.SampleRate ?? collection.Tracks[0].SampleRate;
        var features = options.Features ?? JudgeFeatureOptions.ForSampleRate(rate);
        if (features.SampleRate != rate)
            throw new SmitinException($"judge option Features.SampleRate = {features.SampleRate} Hz, but the judge runs at {rate} Hz");
        int channels = model?.AudioChannels ?? 1;

        var usable = collection.Tracks.Where(t => t.HasStem(trait) && t.Stems.Count >= 2).ToList();
        if (usable.Count < 2)
            throw new SmitinException($"{stemFolder}: {usable.Count} song(s) have a '{trait}' stem and another stem; the judge needs at least 2 (train and held-out). " +
                                      $"Stems in this collection: {string.Join(", ", collection.StemNames)}");
        var (trainIds, validationIds) = TrackSplit.Split(usable.Select(t => t.Id), options.ValidationFraction, seed);
        var heldOut = validationIds.ToHashSet(StringComparer.Ordinal);

        // 1. Matched pairs per song.
        var rng = new Random(seed);
        var examples = new List<Example>();
        int skipped = 0, done = 0;
        foreach (var track in usable.OrderBy(t => t.Id, StringComparer.Ordinal))
        {
            ct.ThrowIfCancellationRequested();
            bool isHeldOut = heldOut.Contains(track.Id);
            skipped += AddPairs(track, trait, rate, channels, options, isHeldOut, rng, examples);
            progress?.Report(new JudgeProgress("load", ++done, usable.Count));
        }
        CheckBothClasses(examples, trainIds, validationIds, trait, stemFolder);

        // 2. Codec reconstructions of every clip.
        bool calibrate = model is not null && options.CalibrateOnCodec;
        if (calibrate)
        {
            var recon = Reconstruct(model!, examples.Select(e => e.Clip).ToArray(), options.CodecBatchSize, progress, ct);
            examples.AddRange(examples.Select((e, i) => e with { Clip = recon[i], Reconstruction = true }).ToList());
        }

        // 3. Features, in chunks so progress and cancellation stay responsive.
        int d = features.Dimension;
        var x = new float[examples.Count * (long)d];
        const int chunk = 32;
        for (int start = 0; start < examples.Count; start += chunk)
        {
            ct.ThrowIfCancellationRequested();
            int count = Math.Min(chunk, examples.Count - start);
            var f = JudgeFeatures.Compute(examples.Skip(start).Take(count).Select(e => e.Clip).ToArray(), features);
            Array.Copy(f, 0, x, (long)start * d, f.Length);
            progress?.Report(new JudgeProgress("features", start + count, examples.Count));
        }

        // 4. Standardise on the training rows, fit.
        var trainRows = Enumerable.Range(0, examples.Count).Where(i => !examples[i].HeldOut).ToArray();
        var (mean, std) = Standardisation(x, trainRows, d);
        var xs = new float[trainRows.Length * d];
        var labels = new bool[trainRows.Length];
        for (int r = 0; r < trainRows.Length; r++)
        {
            int i = trainRows[r];
            labels[r] = examples[i].Label;
            for (int j = 0; j < d; j++) xs[r * d + j] = (float)((x[(long)i * d + j] - mean[j]) / std[j]);
        }
        if (options.ShuffleLabels) new Random(seed ^ 0x5f3759df).Shuffle(labels);
        ct.ThrowIfCancellationRequested();
        progress?.Report(new JudgeProgress("fit", 0, 1));
        var (w, b) = new MlNetLogisticRegression(new ProbeTrainingOptions { C = options.C }).Fit(xs, labels, d);
        progress?.Report(new JudgeProgress("fit", 1, 1));

        // 5. Scores: training accuracy, held-out mixture pairs on originals and on reconstructions.
        const double threshold = 0.5;
        var weights = w.Select(v => (double)v).ToArray();
        var p = Logistic(x, examples.Count, mean, std, weights, b);
        var trainScores = JudgeScores.From(trainRows.Select(i => p[i]).ToArray(), labels, threshold);
        JudgeScores Score(bool reconstruction)
        {
            var rows = Enumerable.Range(0, examples.Count).Where(i => examples[i].HeldOut && examples[i].Reconstruction == reconstruction).ToArray();
            return JudgeScores.From(rows.Select(i => p[i]).ToArray(), rows.Select(i => examples[i].Label).ToArray(), threshold);
        }
        var report = new TraitJudgeReport
        {
            Trait = trait, Seed = seed, ValidationFraction = options.ValidationFraction, WindowSeconds = options.WindowSeconds,
            HopSeconds = options.HopSeconds, SubsetPairsPerWindow = options.SubsetPairsPerWindow, C = options.C,
            Source = Path.GetFullPath(stemFolder), TrainSongs = trainIds, ValidationSongs = validationIds,
            TrainClips = examples.Count(e => !e.HeldOut && !e.Reconstruction), TrainReconstructions = examples.Count(e => !e.HeldOut && e.Reconstruction),
            SkippedWindows = skipped, TrainAccuracy = trainScores.Accuracy, Originals = Score(false),
            Reconstructions = calibrate ? Score(true) : null,
            Codec = calibrate ? $"{model!.Identity} ({model.Folder})" : null, ShuffledLabels = options.ShuffleLabels,
            ElapsedSeconds = Math.Round(clock.Elapsed.TotalSeconds, 2),
            Created = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
        };
        return new TraitJudge(trait, features, options.WindowSeconds, mean, std, weights, b, threshold, report);
    }

    /// <summary>Adds the matched pairs of one song; returns the number of windows skipped as near silent.</summary>
    static int AddPairs(StemTrack track, string trait, int rate, int channels, TraitJudgeOptions o, bool heldOut, Random rng, List<Example> examples)
    {
        // Each stem summed over its files and conformed to the judge's rate and the codec's channels.
        var stems = new List<(string Name, AudioClip Audio)>();
        foreach (var (name, files) in track.Stems.OrderBy(k => k.Key, StringComparer.OrdinalIgnoreCase))
        {
            AudioClip? sum = null;
            foreach (var file in files)
            {
                var clip = AudioClip.Load(file).Conform(channels, null);
                sum = sum is null ? clip : sum.Add(clip);
            }
            stems.Add((name, sum!.Conform(null, rate)));
        }
        var target = stems.Single(s => s.Name.Equals(trait, StringComparison.OrdinalIgnoreCase)).Audio;
        var others = stems.Where(s => !s.Name.Equals(trait, StringComparison.OrdinalIgnoreCase)).Select(s => s.Audio).ToArray();
        var rest = others.Aggregate((a, c) => a.Add(c));

        int length = SegmentWindows.Frames(o.WindowSeconds, rate), hop = SegmentWindows.Frames(o.HopSeconds, rate);
        int skipped = 0;
        var kept = new List<int>();
        foreach (int start in SegmentWindows.Starts(target.Frames, length, hop))
        {
            if (SegmentWindows.RmsDbfs(target, start, length) < o.SilenceThresholdDbfs || SegmentWindows.RmsDbfs(rest, start, length) < o.SilenceThresholdDbfs) skipped++;
            else kept.Add(start);
        }
        foreach (int start in SegmentWindows.EvenlySpaced(kept, o.MaxWindowsPerSong))
        {
            var t = target.Slice(start, length);
            var negative = rest.Slice(start, length);
            examples.Add(new Example(negative.Add(t), true, track.Id, heldOut, false));
            examples.Add(new Example(negative, false, track.Id, heldOut, false));
            if (heldOut || others.Length < 2) continue;
            for (int k = 0; k < o.SubsetPairsPerWindow; k++)
            {
                // A random non-empty proper subset of the other stems (so it differs from the full-mixture pair).
                int mask;
                do mask = rng.Next(1, 1 << others.Length); while (mask == (1 << others.Length) - 1);
                var subset = others.Where((_, j) => (mask >> j & 1) == 1).Select(c => c.Slice(start, length)).Aggregate((a, c) => a.Add(c));
                if (subset.RmsDbfs() < o.SilenceThresholdDbfs) continue;
                examples.Add(new Example(subset.Add(t), true, track.Id, false, false));
                examples.Add(new Example(subset, false, track.Id, false, false));
            }
        }
        return skipped;
    }

    static void CheckBothClasses(List<Example> examples, IReadOnlyList<string> train, IReadOnlyList<string> validation, string trait, string folder)
    {
        foreach (var (heldOut, songs, what) in new[] { (false, train, "training"), (true, validation, "held-out") })
            if (!examples.Any(e => e.HeldOut == heldOut))
                throw new SmitinException($"{folder}: the {what} songs ({string.Join(", ", songs)}) gave no '{trait}' window above the silence threshold; " +
                                          "use more or longer songs, a shorter window or a lower SilenceThresholdDbfs");
    }

    /// <summary>Encode → decode through the model's codec, in batches; each result trimmed (or padded) to its input length.</summary>
    static AudioClip[] Reconstruct(MusicGen model, AudioClip[] clips, int batchSize, IProgress<JudgeProgress>? progress, CancellationToken ct)
    {
        var result = new AudioClip[clips.Length];
        // Equal-length clips batch together (all windows of one run have the same length).
        var order = Enumerable.Range(0, clips.Length).OrderBy(i => clips[i].Frames).ToArray();
        int done = 0;
        for (int s = 0; s < order.Length;)
        {
            ct.ThrowIfCancellationRequested();
            int frames = clips[order[s]].Frames;
            var batch = order.Skip(s).Take(batchSize).TakeWhile(i => clips[i].Frames == frames).ToArray();
            using (var scope = torch.NewDisposeScope())
            using (torch.no_grad())
            {
                var x = torch.stack(batch.Select(i => clips[i].ToTensor()).ToArray()).to(model.Device);   // (B, C, T)
                var codes = model.EncodeAudio(x);                                                        // (B, K, F)
                var y = model.DecodeCodes(codes);                                                        // (B, C, F·hop)
                for (int k = 0; k < batch.Length; k++)
                    result[batch[k]] = AudioClip.FromTensor(y[k], model.SampleRate, "codec reconstruction").PadOrTrim(frames);
            }
            s += batch.Length;
            done += batch.Length;
            progress?.Report(new JudgeProgress("codec", done, clips.Length));
        }
        return result;
    }

    /// <summary>Per-feature mean and population std over the given rows; a constant feature gets scale 1.</summary>
    static (double[] Mean, double[] Std) Standardisation(float[] x, int[] rows, int d)
    {
        var mean = new double[d];
        var std = new double[d];
        foreach (int i in rows) for (int j = 0; j < d; j++) mean[j] += x[(long)i * d + j];
        for (int j = 0; j < d; j++) mean[j] /= rows.Length;
        foreach (int i in rows) for (int j = 0; j < d; j++) { double v = x[(long)i * d + j] - mean[j]; std[j] += v * v; }
        for (int j = 0; j < d; j++) { std[j] = Math.Sqrt(std[j] / rows.Length); if (!(std[j] > 1e-6)) std[j] = 1; }
        return (mean, std);
    }
}
