namespace Smitin.Training.Tests;

public class SongCorpusTests
{
    static SongCorpus.Song Song(params string[] stems) => new("song_0000", "An upbeat, bright rock song in A major at 124 BPM",
        stems.ToDictionary(s => s, _ => new float[4]), stems.ToDictionary(s => s, s => s == "lead" ? "a flute melody" : s == "bass" ? "electric bass" : s), 4);

    [Fact]
    public void Descriptions_name_present_instruments_and_absent_drums_and_bass()
    {
        var song = Song("drums", "bass", "piano", "lead");
        Assert.Equal("An upbeat, bright rock song in A major at 124 BPM with drums, electric bass, piano and a flute melody.",
            SongCorpus.Describe(song, ["drums", "bass", "piano", "lead"]));
        Assert.Equal("An upbeat, bright rock song in A major at 124 BPM with electric bass, piano and a flute melody; no drums.",
            SongCorpus.Describe(song, ["bass", "piano", "lead"]));
        Assert.Equal("An upbeat, bright rock song in A major at 124 BPM with solo piano; no drums, no bass.",
            SongCorpus.Describe(song, ["piano"]));
    }

    [Fact]
    public void Training_variants_are_matched_pairs_of_the_full_mix()
    {
        var song = Song("drums", "bass", "piano");
        var variants = SongCorpus.TrainingVariants(song, new Random(1));
        Assert.Equal(new[] { "drums", "bass", "piano" }, variants[0]);
        Assert.Contains(variants, v => v.SequenceEqual(new[] { "bass", "piano" }));
        Assert.Contains(variants, v => v.SequenceEqual(new[] { "drums", "piano" }));
        Assert.Equal(variants.Count, variants.Select(v => string.Join("+", v)).Distinct().Count());
    }

    [Fact]
    public void Mix_is_the_sum_of_the_chosen_stems()
    {
        var song = new SongCorpus.Song("s", "p", new Dictionary<string, float[]> { ["drums"] = [1, 2], ["bass"] = [10, 20], ["piano"] = [100, 200] },
            new Dictionary<string, string>(), 2);
        Assert.Equal(new float[] { 101, 202 }, SongCorpus.Mix(song, ["drums", "piano"]));
    }
}
