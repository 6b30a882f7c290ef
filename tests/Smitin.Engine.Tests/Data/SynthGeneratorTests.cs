using Smitin.Audio;
using Smitin.Data;
using Smitin.Data.Synth;

namespace Smitin.Tests.Data;

/// <summary>Four 4-second songs rendered once for the tests in this class (about 2 s with fluidsynth).</summary>
public sealed class SmallSynthCollection : IDisposable
{
    public static readonly SynthOptions Options = new() { Songs = 4, Seconds = 4, Seed = 11, Jobs = 2 };
    readonly TempDir _dir = new();
    public string Root => _dir["synth"];
    public SynthResult Result { get; }
    public SmallSynthCollection() => Result = SyntheticSongGenerator.Generate(Root, Options);
    public void Dispose() => _dir.Dispose();
}

public class SynthGeneratorTests(SmallSynthCollection synth) : IClassFixture<SmallSynthCollection>
{
    const int Rate = 32000;

    [Fact]
    public void Output_is_a_musdb_collection_with_descriptions()
    {
        Assert.Equal(4, synth.Result.Generated);
        var c = StemCollection.Open(synth.Root);
        Assert.Equal(new[] { "song_0000", "song_0001", "song_0002", "song_0003" }, c.Tracks.Select(t => t.Id));
        foreach (var t in c.Tracks)
        {
            Assert.Equal(StemLayout.Musdb, t.Layout);
            Assert.Equal(Rate, t.SampleRate);
            Assert.Equal(4 * Rate, t.Frames);
            Assert.True(t.Stems.Count >= 2);
            // mixture.wav is the sum of the stems, up to 16-bit rounding of each file.
            var sum = t.Stems.Values.Select(f => AudioClip.Load(f[0])).Aggregate((a, b) => a.Add(b));
            var mixture = AudioClip.Load(t.MixturePath!);
            double maxDiff = sum.Samples[0].Zip(mixture.Samples[0], (a, b) => Math.Abs(a - b)).Max();
            Assert.True(maxDiff <= (t.Stems.Count + 1) * 0.5 / 32768 + 1e-7, $"{t.Id}: mixture differs from the stem sum by {maxDiff}");
            Assert.InRange(mixture.Peak(), 0.05f, 0.9f);
            string description = File.ReadAllText(Path.Combine(t.Directory, "description.txt"));
            Assert.Contains("BPM", description);
            Assert.True(File.Exists(Path.Combine(t.Directory, "song.json")));
            Assert.All(t.Stems.Keys, s => Assert.True(File.Exists(Path.Combine(t.Directory, "midi", s + ".mid"))));
        }
        Assert.Equal(5, File.ReadAllLines(Path.Combine(synth.Root, "descriptions.tsv")).Length);
        // Every stem is in some songs and missing from others.
        Assert.All(synth.Result.StemCounts, kv => Assert.InRange(kv.Value, 1, 3));
    }

    [Fact]
    public void Drum_stems_have_broadband_transients_and_bass_stems_are_low()
    {
        var c = StemCollection.Open(synth.Root);
        int drums = 0, basses = 0;
        foreach (var t in c.Tracks)
        {
            if (t.Stems.TryGetValue("drums", out var d))
            {
                var x = AudioClip.Load(d[0]).Samples[0];
                Assert.True(BandAnalysis.TransientsPerSecond(x, Rate, 8000) >= 1.0, $"{t.Id}: too few drum transients");
                Assert.True(BandAnalysis.FractionAbove(x, Rate, 4000) >= 0.02, $"{t.Id}: drums lack energy above 4 kHz");
                Assert.True(BandAnalysis.FractionBelow(x, Rate, 300) >= 0.3, $"{t.Id}: drums lack a kick below 300 Hz");
                drums++;
            }
            if (t.Stems.TryGetValue("bass", out var b))
            {
                var x = AudioClip.Load(b[0]).Samples[0];
                Assert.True(BandAnalysis.FractionBelow(x, Rate, 300) >= 0.6, $"{t.Id}: bass energy below 300 Hz is only {BandAnalysis.FractionBelow(x, Rate, 300):F2}");
                Assert.True(BandAnalysis.FractionAbove(x, Rate, 4000) < 0.005, $"{t.Id}: bass has high-frequency energy");
                basses++;
            }
        }
        Assert.True(drums >= 1 && basses >= 1);
    }

    [Fact]
    public void Negatives_without_drums_have_no_drum_transients()
    {
        var ds = ProbeDataset.FromStems(synth.Root, "drums",
            new SegmentOptions { SegmentSeconds = 4, SampleRate = null, ValidationFraction = 0 });
        var segments = ds.Train.ToList();
        Assert.NotEmpty(segments);
        foreach (var s in segments)
        {
            double rate = BandAnalysis.TransientsPerSecond(s.Audio.Samples[0], Rate, 8000);
            if (s.HasTrait) Assert.True(rate >= 1.0, $"{s.TrackId} positive: {rate:F2} transients/s");
            else Assert.True(rate <= 0.5, $"{s.TrackId} negative: {rate:F2} transients/s");
        }
        // Songs without a drum stem: their whole mixture is drum-free too.
        var c = StemCollection.Open(synth.Root);
        foreach (var t in c.Tracks.Where(t => !t.HasStem("drums")))
            Assert.True(BandAnalysis.TransientsPerSecond(AudioClip.Load(t.MixturePath!).Samples[0], Rate, 8000) <= 0.5, t.Id);
        Assert.Contains(ds.Report.SkippedTracks, k => k.Reason.Contains("no drums stem"));
    }

    [Fact]
    public void Same_seed_gives_identical_audio()
    {
        using var dir = new TempDir();
        var again = SyntheticSongGenerator.Generate(dir.Path, SmallSynthCollection.Options);
        Assert.Equal(4, again.Generated);
        var files = Directory.GetFiles(synth.Root, "*.wav", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(synth.Root, f)).Order().ToArray();
        Assert.Equal(files, Directory.GetFiles(dir.Path, "*.wav", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(dir.Path, f)).Order());
        foreach (var f in files)
            Assert.True(File.ReadAllBytes(Path.Combine(synth.Root, f)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(dir.Path, f))), f);
        Assert.Equal(File.ReadAllText(Path.Combine(synth.Root, "descriptions.tsv")), File.ReadAllText(Path.Combine(dir.Path, "descriptions.tsv")));
    }

    [Fact]
    public void Rerun_with_the_same_options_resumes_and_other_options_are_refused()
    {
        var again = SyntheticSongGenerator.Generate(synth.Root, SmallSynthCollection.Options);
        Assert.Equal((0, 4), (again.Generated, again.Reused));
        var e = Assert.ThrowsAny<SmitinException>(() => SyntheticSongGenerator.Generate(synth.Root, SmallSynthCollection.Options with { Seed = 12 }));
        Assert.Contains("other options", e.Message);
        Assert.Contains($"--seed {SmallSynthCollection.Options.Seed}", e.Message);                   // the seed that resumes
        using var dir = new TempDir();
        File.WriteAllText(dir["notes.txt"], "mine");
        Assert.Contains("not empty", Assert.ThrowsAny<SmitinException>(() => SyntheticSongGenerator.Generate(dir.Path, SmallSynthCollection.Options)).Message);
    }

    sealed class CancelOnFirstSong(CancellationTokenSource cts) : IProgress<string>
    {
        public void Report(string value) => cts.Cancel();
    }

    [Fact]
    public void Interrupted_run_leaves_only_complete_songs_and_the_rerun_gives_the_same_audio()
    {
        using var dir = new TempDir();
        using var cts = new CancellationTokenSource();
        Assert.ThrowsAny<OperationCanceledException>(() =>
            SyntheticSongGenerator.Generate(dir.Path, SmallSynthCollection.Options, new CancelOnFirstSong(cts), cts.Token));
        var visible = Directory.GetDirectories(dir.Path).Where(d => !Path.GetFileName(d).StartsWith('.')).ToArray();
        Assert.InRange(visible.Length, 1, 3); // stopped after the first song, before the last
        foreach (var song in visible)
        {
            Assert.True(File.Exists(Path.Combine(song, "song.json")), song);
            Assert.True(File.Exists(Path.Combine(song, "mixture.wav")), song);
        }
        Assert.Empty(Directory.GetDirectories(dir.Path).Where(d => Path.GetFileName(d).StartsWith('.'))); // no temporary folder left
        Assert.False(File.Exists(Path.Combine(dir.Path, "descriptions.tsv")));

        var resumed = SyntheticSongGenerator.Generate(dir.Path, SmallSynthCollection.Options);
        Assert.Equal((4 - visible.Length, visible.Length), (resumed.Generated, resumed.Reused));
        var files = Directory.GetFiles(synth.Root, "*.wav", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(synth.Root, f)).Order().ToArray();
        Assert.Equal(files, Directory.GetFiles(dir.Path, "*.wav", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(dir.Path, f)).Order());
        foreach (var f in files)
            Assert.True(File.ReadAllBytes(Path.Combine(synth.Root, f)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(dir.Path, f))), f);
    }

    [Fact]
    public void Missing_fluidsynth_or_soundfont_names_the_package_and_writes_nothing()
    {
        using var dir = new TempDir();
        var e = Assert.ThrowsAny<SmitinException>(() => SyntheticSongGenerator.Generate(dir["out"], SmallSynthCollection.Options with { FluidSynth = "no-such-fluidsynth" }));
        Assert.Contains("apt-get install fluidsynth", e.Message);
        e = Assert.ThrowsAny<SmitinException>(() => SyntheticSongGenerator.Generate(dir["out"], SmallSynthCollection.Options with { SoundFont = dir["none.sf2"] }));
        Assert.Contains("none.sf2", e.Message);
        Assert.Contains("timgm6mb-soundfont", e.Message);
        Assert.False(Directory.Exists(dir["out"]));
    }
}

public class SynthPlanTests
{
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(10)]
    [InlineData(200)]
    public void Every_stem_has_both_classes_and_every_song_two_stems(int songs)
    {
        var design = SyntheticSongGenerator.StemsPerSong(songs, seed: 7);
        Assert.Equal(songs, design.Count);
        Assert.All(design, s => Assert.True(s.Length >= 2));
        foreach (var stem in SynthStems.All)
            Assert.InRange(design.Count(s => s.Contains(stem)), 1, songs - 1);
        if (songs == 200)
            foreach (var stem in SynthStems.All)
                Assert.InRange(design.Count(s => s.Contains(stem)) / 200.0, SynthStems.Presence[stem] - 0.05, SynthStems.Presence[stem] + 0.1);
    }

    [Fact]
    public void Plans_are_deterministic_and_depend_on_the_seed()
    {
        var o = new SynthOptions { Songs = 5, Seconds = 8, Seed = 3 };
        var a = SyntheticSongGenerator.Plan(o);
        var b = SyntheticSongGenerator.Plan(o);
        Assert.Equal(a.Select(p => p.Description), b.Select(p => p.Description));
        Assert.Equal(a.SelectMany(p => p.Parts).SelectMany(p => p.Notes), b.SelectMany(p => p.Parts).SelectMany(p => p.Notes));
        var c = SyntheticSongGenerator.Plan(o with { Seed = 4 });
        Assert.NotEqual(a.Select(p => p.Description), c.Select(p => p.Description));
        // Songs differ from each other, and parts cover the whole length.
        Assert.Equal(5, a.Select(p => (p.Tempo, p.Key, p.Minor)).Distinct().Count());
        foreach (var p in a)
            foreach (var part in p.Parts)
            {
                Assert.NotEmpty(part.Notes);
                Assert.True(part.Notes.Max(n => n.Start) >= (p.Bars - 2) * SongPlan.TicksPerBar, $"{p.Id} {part.Stem} stops early");
                Assert.All(part.Notes, n => Assert.InRange(n.Pitch, 0, 127));
            }
    }

    [Fact]
    public void Bass_and_lead_stay_in_their_registers()
    {
        foreach (var p in SyntheticSongGenerator.Plan(new SynthOptions { Songs = 30, Seconds = 8, Seed = 1 }))
        {
            if (p.Parts.FirstOrDefault(x => x.Stem == "bass") is { } bass) Assert.All(bass.Notes, n => Assert.InRange(n.Pitch, 27, 52));
            if (p.Parts.FirstOrDefault(x => x.Stem == "lead") is { } lead) Assert.All(lead.Notes, n => Assert.InRange(n.Pitch, 58, 91));
            if (p.Parts.FirstOrDefault(x => x.Stem == "drums") is { } drums) Assert.All(drums.Notes, n => Assert.Equal(9, n.Channel));
        }
    }

    [Fact]
    public void Invalid_options_are_named()
    {
        Assert.Contains("songs: expected between 1", Assert.ThrowsAny<SmitinException>(() => SyntheticSongGenerator.Plan(new SynthOptions { Songs = 0 })).Message);
        Assert.Contains("song-seconds", Assert.ThrowsAny<SmitinException>(() => SyntheticSongGenerator.Plan(new SynthOptions { Seconds = -1 })).Message);
        Assert.Contains("sample-rate", Assert.ThrowsAny<SmitinException>(() => SyntheticSongGenerator.Plan(new SynthOptions { SampleRate = 100 })).Message);
    }
}
