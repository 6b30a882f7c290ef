using Smitin.Audio;
using Smitin.Data;
using Smitin.Tests.Audio;

namespace Smitin.Tests.Data;

public class LabelledSourceTests
{
    const int Rate = 16000;

    static void Tone(string path, double seconds, float amp = 0.3f, double hz = 440) =>
        AudioClip.Mono(TestSignals.Sine(hz, seconds, Rate, amp), Rate).Save(path);

    [Fact]
    public void Labelled_folders_share_track_ids_and_skip_short_and_silent()
    {
        using var dir = new TempDir();
        Tone(dir["with/s1.wav"], 6.5);
        Tone(dir["without/s1.wav"], 3.0, hz: 220);
        Tone(dir["with/sub/s2.wav"], 2.0);                      // shorter than a segment → one 2 s segment
        Tone(dir["without/tiny.wav"], 0.5);                     // shorter than 1 s → skipped
        AudioClip.Silence(1, 3 * Rate, Rate).Save(dir["without/quiet.wav"]);
        var ds = ProbeDataset.FromLabelledFolders(dir.Path, "drums", new SegmentOptions { SampleRate = null, ValidationFraction = 0 });
        Assert.Equal(new[] { "quiet", "s1", "sub/s2", "tiny" }, ds.TrainTracks);
        var segs = ds.Train.ToList();
        Assert.Equal(3, segs.Count(s => s.TrackId == "s1"));     // 2 with + 1 without
        Assert.Equal(2.0, segs.Single(s => s.TrackId == "sub/s2").Audio.DurationSeconds, 6);
        Assert.Equal(1, ds.Report.Train.Skipped["file shorter than 1 s"]);
        Assert.Equal(1, ds.Report.Train.Skipped[LabelledSource.SkipSilent]);
        Assert.Equal(3, ds.Report.Train.Positives);
        Assert.Equal(1, ds.Report.Train.Negatives);
    }

    [Fact]
    public void Manifest_with_header_labels_and_tracks()
    {
        using var dir = new TempDir();
        Tone(dir["clips/a.wav"], 3);
        Tone(dir["clips/a-no.wav"], 3, hz: 330);
        Tone(dir["clips/b.wav"], 3);
        File.WriteAllText(dir["list.csv"], "path,label,track\n# comment\nclips/a.wav,with,song-a\nclips/a-no.wav,0,song-a\n\nclips/b.wav\tyes\n");
        var entries = Manifest.Read(dir["list.csv"]);
        Assert.Equal(3, entries.Count);
        Assert.Equal(new[] { "song-a", "song-a", "b" }, entries.Select(e => e.TrackId));
        Assert.Equal(new[] { true, false, true }, entries.Select(e => e.HasTrait));
        var ds = ProbeDataset.Open(dir["list.csv"], "x", new SegmentOptions { ValidationFraction = 0.5, Seed = 1 });
        Assert.Equal(1, ds.ValidationTracks.Count);
        var all = ds.Train.Concat(ds.Validation).ToList();
        Assert.Equal(3, all.Count);
        Assert.Equal(32000, all[0].Audio.SampleRate);
    }

    [Fact]
    public void Manifest_errors_name_the_line()
    {
        using var dir = new TempDir();
        Tone(dir["a.wav"], 3);
        File.WriteAllText(dir["m.txt"], "a.wav,1\na.wav,maybe\n");
        var e = Assert.Throws<SmitinException>(() => Manifest.Read(dir["m.txt"]));
        Assert.Contains("m.txt:2", e.Message);
        Assert.Contains("'maybe'", e.Message);
        File.WriteAllText(dir["m.txt"], "a.wav,1\nmissing.wav,0\n");
        e = Assert.Throws<SmitinException>(() => Manifest.Read(dir["m.txt"]));
        Assert.Contains("m.txt:2", e.Message);
        Assert.Contains("missing.wav", e.Message);
        File.WriteAllText(dir["m.txt"], "a.wav\n");
        Assert.Contains("m.txt:1", Assert.Throws<SmitinException>(() => Manifest.Read(dir["m.txt"])).Message);
        File.WriteAllText(dir["empty.txt"], "# nothing\n");
        Assert.Throws<SmitinException>(() => Manifest.Read(dir["empty.txt"]));
    }

    [Fact]
    public void Corrupt_labelled_file_fails_when_opening()
    {
        using var dir = new TempDir();
        Tone(dir["with/a.wav"], 3);
        Directory.CreateDirectory(dir["without"]);
        File.WriteAllBytes(dir["without/b.wav"], new byte[50]);
        var e = Assert.Throws<SmitinException>(() => ProbeDataset.Open(dir.Path, "t"));
        Assert.Contains("b.wav", e.Message);
    }

    [Fact]
    public void Folder_without_with_and_without_is_treated_as_stems()
    {
        using var dir = new TempDir();
        Tone(dir["with/a.wav"], 3);
        var e = Assert.Throws<SmitinException>(() => ProbeDataset.FromLabelledFolders(dir.Path));
        Assert.Contains("without/", e.Message);
    }

    [Fact]
    public void A_single_wav_is_not_a_dataset()
    {
        using var dir = new TempDir();
        Tone(dir["a.wav"], 3);
        var e = Assert.Throws<SmitinException>(() => ProbeDataset.Open(dir["a.wav"], "t"));
        Assert.Contains("single WAV", e.Message);
    }
}
