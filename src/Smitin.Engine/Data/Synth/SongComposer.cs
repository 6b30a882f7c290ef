namespace Smitin.Data.Synth;

/// <summary>
/// Composes one song from a seed: tempo, key and mode, a verse and a chorus progression, a density, and one part per
/// requested stem (drum groove, bass line, piano/guitar/string accompaniment, lead melody), plus a text description.
/// The same (seed, stems, seconds) always gives the same plan.
/// </summary>
public static class SongComposer
{
    /// <summary>Composes song <paramref name="index"/> with exactly <paramref name="stems"/>.</summary>
    /// <param name="index">position in the collection</param><param name="seed">the song's own seed</param>
    /// <param name="stems">stem names (<see cref="SynthStems"/>) the song contains</param>
    /// <param name="seconds">length of the audio; enough bars are written to cover it</param>
    public static SongPlan Compose(int index, int seed, IReadOnlyCollection<string> stems, double seconds)
    {
        var rng = new Random(seed);
        int tempo = rng.Next(76, 151);
        bool minor = rng.NextDouble() < 0.45;
        int key = rng.Next(12);
        var progressions = minor ? MusicTheory.MinorProgressions : MusicTheory.MajorProgressions;
        var verse = progressions[rng.Next(progressions.Length)];
        var chorus = rng.NextDouble() < 0.5 ? verse : progressions[rng.Next(progressions.Length)];
        double density = 0.3 + 0.7 * rng.NextDouble();
        int bars = (int)Math.Ceiling(seconds * tempo / 240.0) + 1; // one spare bar; audio is trimmed to length

        var chords = new Chord[bars];
        for (int b = 0; b < bars; b++)
        {
            var prog = (b / 8) % 2 == 1 ? chorus : verse;
            chords[b] = MusicTheory.Triad(key, minor, prog[b % prog.Length]);
        }
        var song = new SongContext(key, minor, chords, bars, density);

        var parts = new List<PartPlan>();
        foreach (var stem in SynthStems.All)
        {
            // Each part draws from its own stream so adding or removing one stem leaves the others unchanged.
            var partRng = new Random(unchecked(seed * 31 + Array.IndexOf(SynthStems.All, stem) + 1));
            if (!stems.Contains(stem)) continue;
            var programs = stem == SynthStems.Drums ? null : SynthStems.Programs[stem];
            var instrument = programs is null ? (0, "drums") : programs[partRng.Next(programs.Length)];
            parts.Add(stem switch
            {
                SynthStems.Drums => DrumWriter.Write(song, partRng),
                SynthStems.Bass => HarmonyWriter.Bass(song, partRng, instrument),
                SynthStems.Piano => HarmonyWriter.Piano(song, partRng, instrument),
                SynthStems.Guitar => HarmonyWriter.Guitar(song, partRng, instrument),
                SynthStems.Strings => HarmonyWriter.Strings(song, partRng, instrument),
                _ => MelodyWriter.Write(song, partRng, instrument),
            });
        }
        string progressionName = string.Join(" - ", verse.Select(d => MusicTheory.Triad(key, minor, d).Name));
        var plan = new SongPlan(index, seed, tempo, key, minor, chords.Take(4).ToArray(), bars, density, parts, "");
        return plan with { Description = Describe(plan, progressionName) };
    }

    /// <summary>"An upbeat, bright rock song in A major at 124 BPM with drums, electric bass and a flute melody; busy arrangement."</summary>
    static string Describe(SongPlan song, string progression)
    {
        bool fast = song.Tempo >= 115;
        string[] moods = (song.Minor, fast) switch
        {
            (true, true) => ["dark", "driving", "intense", "urgent"],
            (true, false) => ["melancholic", "moody", "calm", "wistful"],
            (false, true) => ["upbeat", "bright", "energetic", "happy"],
            (false, false) => ["warm", "relaxed", "gentle", "dreamy"],
        };
        var rng = new Random(song.Seed ^ 0x5eed);
        var pick = moods.OrderBy(_ => rng.Next()).Take(2).ToArray();
        var drums = song.Parts.FirstOrDefault(p => p.Stem == SynthStems.Drums);
        string genre = drums?.Style switch
        {
            "rock" => "rock",
            "four-on-the-floor" => "dance",
            "half-time" => "laid-back groove",
            "funk" => "funk",
            "shuffle" => "swing",
            _ => song.Parts.Any(p => p.Stem == SynthStems.Strings) ? "ambient" : "acoustic",
        };
        var names = song.Parts.Select(p => p.Stem == SynthStems.Lead ? "a " + p.InstrumentName : p.InstrumentName).ToList();
        string list = names.Count == 1 ? names[0] : string.Join(", ", names.Take(names.Count - 1)) + " and " + names[^1];
        string density = song.Density < 0.5 ? "sparse" : song.Density < 0.8 ? "moderate" : "busy";
        string article = "aeiou".Contains(pick[0][0]) ? "An" : "A";
        return $"{article} {pick[0]}, {pick[1]} {genre} song in {song.KeyName} at {song.Tempo} BPM with {list}; " +
               $"{density} arrangement, chords {progression}.";
    }
}
