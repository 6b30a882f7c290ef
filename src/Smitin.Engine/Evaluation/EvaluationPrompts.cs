using Smitin.Data;

namespace Smitin.Evaluation;

/// <summary>
/// Loads matched evaluation windows from a stem collection (MUSDB18-HQ / MoisesDB layout, e.g. the synthetic
/// generator's songs): consecutive, non-overlapping windows of P + C seconds of every song that has the trait stem and
/// at least one other, skipping windows where the trait stem or the rest is near silent (as probing does). Songs are
/// interleaved (every song's first window, then every song's second, ...), so a small n still covers many songs.
/// </summary>
public static class EvaluationPrompts
{
    /// <exception cref="SmitinException">the folder is not a stem collection, no song has the trait, or no window is usable</exception>
    public static IReadOnlyList<EvaluationPrompt> Load(string stemFolder, EvaluationOptions options, int sampleRate, int channels,
        int count, CancellationToken cancellationToken = default)
    {
        options.Validate();
        var collection = StemCollection.Open(stemFolder);
        double window = options.PromptSeconds + options.ContinuationSeconds;
        var segmentOptions = new SegmentOptions
        {
            SegmentSeconds = window, HopSeconds = window, SampleRate = sampleRate, Channels = channels,
            SilenceThresholdDbfs = options.SilenceThresholdDbfs,
        };
        var source = new StemPairSource(collection, [options.Trait], segmentOptions);
        var perTrack = new List<List<EvaluationPrompt>>();
        var counts = new SplitCounts();
        foreach (var id in source.TrackIds.Order(StringComparer.Ordinal))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var track = collection.Tracks.First(t => t.Id == id);
            if (track.Stems.Count < 2) continue;                 // the trait alone: nothing to continue without it
            if (track.DurationSeconds + 1e-9 < window) continue;
            var list = new List<EvaluationPrompt>();
            EvaluationPrompt? pending = null;
            foreach (var s in source.Segments(id, counts))
            {
                // segments come in pairs: with (positive) first, then without
                if (s.HasTrait) pending = new EvaluationPrompt(id, s.StartSeconds, s.Audio, s.Audio);
                else if (pending is not null) { list.Add(pending with { Without = s.Audio }); pending = null; }
            }
            if (list.Count > 0) perTrack.Add(list);
        }
        var prompts = new List<EvaluationPrompt>();
        for (int k = 0; prompts.Count < count && perTrack.Any(l => l.Count > k); k++)
            foreach (var l in perTrack)
                if (l.Count > k && prompts.Count < count) prompts.Add(l[k]);
        if (prompts.Count == 0)
            throw new SmitinException($"{stemFolder}: no usable {window:0.##} s window with the '{options.Trait}' stem and at least one other stem audible (stems here: {string.Join(", ", collection.StemNames)})");
        return prompts;
    }
}
