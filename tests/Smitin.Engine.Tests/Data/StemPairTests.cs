using Smitin.Audio;
using Smitin.Data;
using Smitin.Tests.Audio;

namespace Smitin.Tests.Data;

public class StemPairTests
{
    static void AssertClose(AudioClip expected, AudioClip actual, double tol)
    {
        Assert.Equal(expected.Channels, actual.Channels);
        Assert.Equal(expected.Frames, actual.Frames);
        for (int c = 0; c < expected.Channels; c++)
            for (int t = 0; t < expected.Frames; t++)
                Assert.True(Math.Abs(expected.Samples[c][t] - actual.Samples[c][t]) <= tol, $"c{c} t{t}: {expected.Samples[c][t]} vs {actual.Samples[c][t]}");
    }

    [Theory]
    [InlineData(null, null)]     // keep 16 kHz stereo
    [InlineData(32000, 1)]       // MusicGen format: upsample and downmix
    public void Negative_equals_positive_minus_target_stem(int? rate, int? channels)
    {
        using var dir = new TempDir();
        TinyCollection.WriteMusdb(dir.Path, tracks: 3, seconds: 4);
        var ds = ProbeDataset.FromStems(dir.Path, "drums", new SegmentOptions { SampleRate = rate, Channels = channels, ValidationFraction = 0.34, Seed = 0 });
        var all = ds.Train.Concat(ds.Validation).ToList();
        Assert.Equal(2 * 3 * 1, all.Count);  // 3 tracks × one full 3 s window × (positive, negative)
        var drumsByTrack = new Dictionary<string, AudioClip>();
        for (int i = 0; i < all.Count; i += 2)
        {
            var pos = all[i]; var neg = all[i + 1];
            Assert.True(pos.HasTrait); Assert.False(neg.HasTrait);
            Assert.Equal(pos.TrackId, neg.TrackId);
            Assert.Equal(pos.StartSeconds, neg.StartSeconds);
            Assert.Equal(rate ?? 16000, pos.Audio.SampleRate);
            Assert.Equal(channels ?? 2, pos.Audio.Channels);
            Assert.Equal(3.0, pos.Audio.DurationSeconds, 6);
            // The target stem, loaded and converted independently of the dataset code.
            var drums = AudioClip.Load(Path.Combine(dir.Path, pos.TrackId, "drums.wav"));
            if (channels is { } c) drums = drums.ToChannels(c);
            if (rate is { } r) drums = drums.Resample(r);
            var target = drums.SliceSeconds(pos.StartSeconds, 3.0);
            AssertClose(pos.Audio.Subtract(target), neg.Audio, 1e-6);
            Assert.True(target.Rms() > 0.01); // the test is not trivially about silence
        }
    }

    /// <summary>No seed: each opening draws a split seed (<see cref="RandomSeed"/>), reports it in the dataset report and
    /// its options, and opening with that seed gives the same split.</summary>
    [Fact]
    public void Without_a_seed_the_split_seed_is_drawn_reported_and_reproduces_the_split()
    {
        using var dir = new TempDir();
        TinyCollection.WriteMusdb(dir.Path, tracks: 10, seconds: 3.2);
        var o = new SegmentOptions { SampleRate = null, Channels = 1, ValidationFraction = 0.3 };
        var first = ProbeDataset.FromStems(dir.Path, "bass", o);
        var second = ProbeDataset.FromStems(dir.Path, "bass", o);
        Assert.NotEqual(first.Report.SplitSeed, second.Report.SplitSeed);        // equal draws: 1 chance in 2^31
        Assert.Equal(first.Report.SplitSeed, first.Options.Seed);
        Assert.Contains($"split seed {first.Report.SplitSeed}", first.Report.ToString());
        var again = ProbeDataset.FromStems(dir.Path, "bass", o with { Seed = first.Report.SplitSeed });
        Assert.Equal(first.ValidationTracks, again.ValidationTracks);
        Assert.Equal(first.TrainTracks, again.TrainTracks);
    }

    [Fact]
    public void Split_keeps_every_track_on_one_side_and_is_seeded()
    {
        using var dir = new TempDir();
        TinyCollection.WriteMusdb(dir.Path, tracks: 10, seconds: 3.2);
        var o = new SegmentOptions { SampleRate = null, Channels = 1, ValidationFraction = 0.3, Seed = 5 };
        var ds = ProbeDataset.FromStems(dir.Path, "bass", o);
        Assert.Equal(3, ds.ValidationTracks.Count);
        Assert.Equal(7, ds.TrainTracks.Count);
        Assert.Empty(ds.TrainTracks.Intersect(ds.ValidationTracks));
        var trainIds = ds.Train.Select(s => s.TrackId).ToHashSet();
        var valIds = ds.Validation.Select(s => s.TrackId).ToHashSet();
        Assert.Empty(trainIds.Intersect(valIds));
        Assert.Equal(10, trainIds.Count + valIds.Count);
        Assert.Subset(ds.ValidationTracks.ToHashSet(), valIds);
        // Same seed → same split; the split depends on the seed.
        Assert.Equal(ds.ValidationTracks, ProbeDataset.FromStems(dir.Path, "bass", o).ValidationTracks);
        var splits = Enumerable.Range(0, 6).Select(s => string.Join("|", TrackSplit.Split(ds.TrainTracks.Concat(ds.ValidationTracks), 0.3, s).Validation)).Distinct();
        Assert.True(splits.Count() > 1);
        Assert.Equal(7, ds.Report.Train.Positives);
        Assert.Equal(7, ds.Report.Train.Negatives);
        Assert.True(ds.Report.Train.Complete);
    }

    [Fact]
    public void Near_silent_target_segments_are_skipped_and_counted()
    {
        using var dir = new TempDir();
        // 12 s track, drums only in the first 6.5 s: windows [0,3) and [3,6) keep drums, [6,9) has 0.5 s (not silent),
        // [9,12) is silent.
        TinyCollection.WriteMusdbTrack(dir["a"], TinyCollection.Stems(1, 12, drumsUntil: 6.5));
        TinyCollection.WriteMusdbTrack(dir["b"], TinyCollection.Stems(2, 12, drumsUntil: 2.0));
        var o = new SegmentOptions { SampleRate = null, ValidationFraction = 0, SilenceThresholdDbfs = -45 };
        var ds = ProbeDataset.FromStems(dir.Path, "drums", o);
        var segs = ds.Train.ToList();
        Assert.Equal(new[] { 0.0, 3.0, 6.0 }, segs.Where(s => s.TrackId == "a" && s.HasTrait).Select(s => s.StartSeconds));
        Assert.Equal(new[] { 0.0 }, segs.Where(s => s.TrackId == "b" && s.HasTrait).Select(s => s.StartSeconds));
        Assert.Equal(1 + 3, ds.Report.Train.Skipped["target stem near silent"]);
        Assert.Contains("4 (target stem near silent)", ds.Report.ToString());
        // Without a threshold nothing is skipped: all 4 windows of both tracks.
        var none = ProbeDataset.FromStems(dir.Path, "drums", o with { SilenceThresholdDbfs = double.NegativeInfinity });
        Assert.Equal(8, none.Train.Count(s => s.HasTrait));
    }

    [Fact]
    public void Max_segments_per_track_and_hop()
    {
        using var dir = new TempDir();
        TinyCollection.WriteMusdbTrack(dir["a"], TinyCollection.Stems(1, 10));
        var o = new SegmentOptions { SampleRate = null, ValidationFraction = 0, SegmentSeconds = 2, HopSeconds = 1 };
        Assert.Equal(9, ProbeDataset.FromStems(dir.Path, "bass", o).Train.Count(s => s.HasTrait));
        var capped = ProbeDataset.FromStems(dir.Path, "bass", o with { MaxSegmentsPerTrack = 3 }).Train.Where(s => s.HasTrait).Select(s => s.StartSeconds);
        Assert.Equal(new[] { 1.0, 4.0, 7.0 }, capped);
    }

    [Fact]
    public void Track_without_the_target_stem_is_skipped_and_reported()
    {
        using var dir = new TempDir();
        TinyCollection.WriteMusdbTrack(dir["a"], TinyCollection.Stems(1, 3.5));
        var stems = TinyCollection.Stems(2, 3.5); stems.Remove("drums");
        TinyCollection.WriteMusdbTrack(dir["b"], stems);
        var ds = ProbeDataset.FromStems(dir.Path, "drums", new SegmentOptions { SampleRate = null, ValidationFraction = 0 });
        Assert.Equal(new[] { "a" }, ds.TrainTracks);
        var skipped = Assert.Single(ds.Report.SkippedTracks);
        Assert.Equal("b", skipped.TrackId);
        Assert.Contains("no drums stem", skipped.Reason);
        Assert.Contains("1 skipped", ds.Report.ToString());
    }

    [Fact]
    public void No_track_with_the_target_is_a_named_error_listing_stems()
    {
        using var dir = new TempDir();
        TinyCollection.WriteMusdb(dir.Path, 2, 3.5);
        var e = Assert.Throws<SmitinException>(() => ProbeDataset.FromStems(dir.Path, "piano"));
        Assert.Contains("'piano'", e.Message);
        Assert.Contains("bass, drums, other, vocals", e.Message);
    }

    [Fact]
    public void Missing_mixture_is_a_named_error()
    {
        using var dir = new TempDir();
        TinyCollection.WriteMusdbTrack(dir["a"], TinyCollection.Stems(1, 3.5));
        TinyCollection.WriteMusdbTrack(dir["b"], TinyCollection.Stems(2, 3.5), withMixture: false);
        var e = Assert.Throws<SmitinException>(() => ProbeDataset.FromStems(dir.Path, "drums"));
        Assert.Contains("mixture.wav", e.Message);
        Assert.Contains(dir["b"], e.Message);
    }

    [Fact]
    public void Stems_of_different_lengths_are_a_named_error()
    {
        using var dir = new TempDir();
        var stems = TinyCollection.Stems(1, 3.5);
        TinyCollection.WriteMusdbTrack(dir["a"], stems);
        stems["bass"].PadOrTrim(stems["bass"].Frames - 10).Save(dir["a/bass.wav"]);
        var e = Assert.Throws<SmitinException>(() => ProbeDataset.FromStems(dir.Path, "drums"));
        Assert.Contains("bass.wav", e.Message);
        Assert.Contains("same length", e.Message);
    }

    [Fact]
    public void Stems_of_different_rates_are_a_named_error()
    {
        using var dir = new TempDir();
        var stems = TinyCollection.Stems(1, 3.5);
        TinyCollection.WriteMusdbTrack(dir["a"], stems);
        new AudioClip(stems["other"].Samples, 22050).Save(dir["a/other.wav"]);
        var e = Assert.Throws<SmitinException>(() => ProbeDataset.FromStems(dir.Path, "drums"));
        Assert.Contains("other.wav is 22050 Hz", e.Message);
    }

    [Fact]
    public void Corrupt_stem_fails_when_opening_and_nan_stem_when_reading()
    {
        using var dir = new TempDir();
        TinyCollection.WriteMusdbTrack(dir["a"], TinyCollection.Stems(1, 3.5));
        File.WriteAllText(dir["a/vocals.wav"], "garbage");
        var e = Assert.Throws<SmitinException>(() => ProbeDataset.FromStems(dir.Path, "drums"));
        Assert.Contains("vocals.wav", e.Message);

        // A float file with a NaN near its end (written through raw bytes: Save refuses NaN). Headers are fine,
        // so opening works; reading the track fails with the file name.
        var bytes = TinyCollection.Stems(1, 3.5)["vocals"].ToWavBytes(WavEncoding.Float32);
        BitConverter.GetBytes(float.NaN).CopyTo(bytes, bytes.Length - 8);
        File.WriteAllBytes(dir["a/vocals.wav"], bytes);
        var ds = ProbeDataset.FromStems(dir.Path, "drums", new SegmentOptions { ValidationFraction = 0 });
        var e2 = Assert.Throws<SmitinException>(() => ds.Train.ToList());
        Assert.Contains("vocals.wav", e2.Message);
        Assert.Contains("NaN", e2.Message);
    }

    [Fact]
    public void Musdb_train_and_test_folders_are_walked()
    {
        using var dir = new TempDir();
        TinyCollection.WriteMusdbTrack(dir["musdb18hq/train/Artist - One"], TinyCollection.Stems(1, 3.2));
        TinyCollection.WriteMusdbTrack(dir["musdb18hq/test/Artist - Two"], TinyCollection.Stems(2, 3.2));
        var c = StemCollection.Open(dir["musdb18hq"]);
        Assert.Equal(new[] { "test/Artist - Two", "train/Artist - One" }, c.Tracks.Select(t => t.Id));
        Assert.All(c.Tracks, t => Assert.Equal(StemLayout.Musdb, t.Layout));
        Assert.Equal(new[] { "bass", "drums", "other", "vocals" }, c.StemNames);
    }

    [Fact]
    public void MoisesDB_layout_sums_the_files_of_a_stem()
    {
        using var dir = new TempDir();
        string track = dir["moisesdb/0a1b-track"];
        var stems = TinyCollection.Stems(3, 3.5);
        Directory.CreateDirectory(track);
        File.WriteAllText(Path.Combine(track, "data.json"), """{"song": "x", "stems": []}""");
        var kick = stems["drums"].Scale(0.5f);
        var snare = AudioClip.Mono(TestSignals.Noise(stems["drums"].Frames, 99, 0.2f), TinyCollection.Rate); // mono file, upmixed
        kick.Save(Path.Combine(track, "drums", "kick-id.wav"));
        snare.Save(Path.Combine(track, "drums", "snare-id.wav"));
        stems["bass"].Save(Path.Combine(track, "bass", "b-id.wav"));
        stems["other"].Save(Path.Combine(track, "guitar", "g-id.wav"));
        var c = StemCollection.Open(dir["moisesdb"]);
        var t = Assert.Single(c.Tracks);
        Assert.Equal(StemLayout.Moises, t.Layout);
        Assert.Equal(2, t.Stems["drums"].Count);
        var ds = ProbeDataset.FromStems(c, "drums", new SegmentOptions { SampleRate = null, Channels = null, ValidationFraction = 0 });
        var segs = ds.Train.ToList();
        Assert.Equal(2, segs.Count);
        var target = kick.Add(snare.ToChannels(2)).Slice(0, 3 * TinyCollection.Rate);
        AssertClose(segs[0].Audio.Subtract(target), segs[1].Audio, 1e-6);
        Assert.Contains("MoisesDB", ds.Report.Source);
        // Two target stems joined with '+'.
        var both = ProbeDataset.FromStems(c, "drums+guitar", new SegmentOptions { SampleRate = null, ValidationFraction = 0 }).Train.ToList();
        Assert.Equal("sum of stems without drums+guitar", both[1].Origin);
    }

    [Fact]
    public void Empty_or_unrecognised_folder_is_a_named_error()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<SmitinException>(() => StemCollection.Open(dir.Path));
        Assert.Contains("MUSDB18-HQ", e.Message);
        Assert.Throws<SmitinException>(() => StemCollection.Open(dir["missing"]));
    }
}
