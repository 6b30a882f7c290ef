using Smitin.Audio;
using Smitin.Data;
using Smitin.Models;
using Smitin.Probing;
using Smitin.Tests.Data;
using Smitin.Tests.Support;

namespace Smitin.Tests.Probing;

/// <summary>
/// Issue 17 point 6, "segments held in memory": every captured segment's activations stay in memory until the probes
/// are built, so the number of segments is bounded by <see cref="CaptureOptions.MaxSegments"/> and refused up front,
/// saying how many were asked, what they cost and which option raises the limit.
/// </summary>
public sealed class CaptureOptionsTests(FixtureModel fixture) : IClassFixture<FixtureModel>, IDisposable
{
    readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();
    MusicGen Model => fixture.Model;

    /// <summary>with/ and without/ folders: one file per track and side, <paramref name="seconds"/> long.</summary>
    string PlantedFolders(int tracks, double seconds)
    {
        string root = _dir[$"planted-{tracks}-{seconds}"];
        Directory.CreateDirectory(Path.Combine(root, "with"));
        Directory.CreateDirectory(Path.Combine(root, "without"));
        for (int i = 0; i < tracks; i++)
        {
            var (with, without) = PlantedTrait.Clips($"track{i:D3}", seconds);
            with.Save(Path.Combine(root, "with", $"track{i:D3}.wav"), WavEncoding.Float32);
            without.Save(Path.Combine(root, "without", $"track{i:D3}.wav"), WavEncoding.Float32);
        }
        return root;
    }

    sealed class Recorder : IProgress<ProbeProgress>
    {
        public List<ProbeProgress> Reports { get; } = [];
        public void Report(ProbeProgress value) { lock (Reports) Reports.Add(value); }
    }

    [Fact]
    public void A_dataset_with_more_segments_than_the_limit_is_refused_before_any_capture()
    {
        // 6 tracks x (with + without) x 2 s, cut into 1 s segments: 24 segments, none silent
        var dataset = ProbeDataset.FromLabelledFolders(PlantedFolders(6, 2.0), "tone",
            new SegmentOptions { SegmentSeconds = 1, ValidationFraction = 0.34 });
        Assert.Equal(24, dataset.MaxSegmentCount);
        Assert.Equal(24, dataset.Train.Count() + dataset.Validation.Count());          // the bound is the count here

        var progress = new Recorder();
        var tooFew = new ProbeTrainerOptions { Capture = CaptureOptions.Uncached with { MaxSegments = 23 } };
        var e = Assert.Throws<OptionException>(() => ProbeTrainer.Train(Model, dataset, tooFew, progress));
        Assert.Equal("max-segments", e.Option);
        Assert.Contains("up to 24 segments, more than the limit of 23", e.Message);
        Assert.Contains("at 256 bytes each (2 layers × 4 heads × 8 head_dim × 4 bytes, float32)", e.Message);
        Assert.Contains("Raise the limit with --max-segments 24", e.Message);
        Assert.Contains("--max-segments-per-track", e.Message);
        Assert.Empty(progress.Reports);                                                 // nothing was captured
        Assert.Throws<OptionException>(() => ProbeTrainer.TrainDirections(Model, dataset, [ProbeDirection.ProbeWeight], tooFew, progress));
        Assert.Empty(progress.Reports);

        // exactly the limit is accepted (the bound is not off by one) and the set is built
        var set = ProbeTrainer.Train(Model, dataset, new ProbeTrainerOptions { Capture = CaptureOptions.Uncached with { MaxSegments = 24 } });
        Assert.Equal(24, set.Provenance.TrainPositive + set.Provenance.TrainNegative + set.Provenance.ValidationPositive + set.Provenance.ValidationNegative);
    }

    [Fact]
    public void An_unbounded_stream_of_segments_is_refused_when_the_first_one_too_many_arrives()
    {
        var (pairs, _) = PlantedTrait.Pairs(2, 1.0, 0.0, 0);
        int yielded = 0;
        IEnumerable<Segment> Endless()
        {
            for (int i = 0; ; i++)
            {
                if (++yielded > 50) throw new InvalidOperationException("the capture kept reading past its limit");
                yield return pairs[i % pairs.Count];
            }
        }
        var capture = new ActivationCapture(Model, CaptureOptions.Uncached with { MaxSegments = 5, BatchSize = 2 });
        var e = Assert.Throws<OptionException>(() => capture.Capture(Endless()));
        Assert.Equal("max-segments", e.Option);
        Assert.Contains("capture: at least 6 segments, more than the limit of 5", e.Message);
        Assert.Equal(6, yielded);

        // segments already held (the training split) count towards the limit of the validation split
        e = Assert.Throws<OptionException>(() => capture.Capture(pairs.Take(3), heldBefore: 4, stage: "capture validation"));
        Assert.Contains("capture validation: at least 6 segments, more than the limit of 5", e.Message);
        Assert.Equal(3, capture.Capture(pairs.Take(3), heldBefore: 2).Count);
    }

    [Fact]
    public void Segments_longer_than_the_decoder_holds_are_refused_before_any_capture()
    {
        // the fixture: 512 positions, 50 Hz, 4 codebooks: 508 frames = 10.16 s at most
        var dataset = ProbeDataset.FromLabelledFolders(PlantedFolders(3, 12.0), "tone",
            new SegmentOptions { SegmentSeconds = 11, ValidationFraction = 0.34 });
        var progress = new Recorder();
        var e = Assert.Throws<OptionException>(() => ProbeTrainer.Train(Model, dataset, new ProbeTrainerOptions { Capture = CaptureOptions.Uncached }, progress));
        Assert.Equal("segment-seconds", e.Option);
        Assert.Contains("11 s is 550 frames at 50 Hz and needs 554 decoder positions, the model has 512 (decoder.max_position_embeddings): at most 10.16 s", e.Message);
        Assert.Empty(progress.Reports);
    }

    [Fact]
    public void The_message_gives_the_memory_and_the_array_bound_no_option_raises()
    {
        // musicgen-small shapes: 24 layers x 16 heads x 64 = 98,304 bytes per segment
        var defaults = new CaptureOptions();
        Assert.Equal(20_000, defaults.MaxSegments);
        Assert.Equal(98_304, CaptureOptions.BytesPerSegment(24, 16, 64));
        defaults.CheckSegmentCount(20_000, 24, 16, 64, "stems: up to");
        var e = Assert.Throws<OptionException>(() => defaults.CheckSegmentCount(24_000, 24, 16, 64, "stems (MUSDB18-HQ layout) at /data: up to"));
        Assert.Contains("stems (MUSDB18-HQ layout) at /data: up to 24,000 segments, more than the limit of 20,000 (1.97 GB of activations)", e.Message);
        Assert.Contains("their activations take 2.36 GB", e.Message);
        Assert.Contains("--max-segments 24000", e.Message);

        // musicgen-large shapes: 48 x 32 x 64 floats per segment; one float array holds 21,845 of them
        Assert.Equal(21_845, CaptureOptions.ArrayLimit(48, 32, 64));
        var unlimited = new CaptureOptions { MaxSegments = int.MaxValue };
        unlimited.CheckSegmentCount(21_845, 48, 32, 64, "x: up to");
        var hard = Assert.Throws<SmitinException>(() => unlimited.CheckSegmentCount(21_846, 48, 32, 64, "x: up to"));
        Assert.IsNotType<OptionException>(hard);
        Assert.Contains("one activation set holds at most 21,845 segments of this model", hard.Message);

        Assert.Equal("max-segments", Assert.Throws<OptionException>(() => new CaptureOptions { MaxSegments = 0 }.Validate()).Option);
    }

    [Fact]
    public void The_bound_of_a_stem_collection_counts_every_window_of_every_track_from_the_headers()
    {
        // 3 tracks of 7 s at 16 kHz, resampled to 32 kHz and cut into 2 s windows: 3 pairs per track
        string root = _dir["musdb"];
        TinyCollection.WriteMusdb(root, 3, 7.0);
        var all = new SegmentOptions { SegmentSeconds = 2, SilenceThresholdDbfs = double.NegativeInfinity, ValidationFraction = 0.34 };
        var dataset = ProbeDataset.FromStems(root, "drums", all);
        Assert.Equal(18, dataset.MaxSegmentCount);
        Assert.Equal(18, dataset.Train.Count() + dataset.Validation.Count());
        Assert.Equal(6, ProbeDataset.FromStems(root, "drums", all with { MaxSegmentsPerTrack = 1 }).MaxSegmentCount);
        Assert.Equal(3 * 2 * 6, ProbeDataset.FromStems(root, "drums", all with { HopSeconds = 1 }).MaxSegmentCount);
    }
}
