namespace Smitin.Data.Synth;

/// <summary>
/// A lead melody built from two-bar motifs: a seeded rhythm, chord tones on beats and scale steps in between.
/// Verses repeat motif A (re-fitted to the chords), choruses use motif B; each section closes on a chord tone.
/// </summary>
static class MelodyWriter
{
    const int Channel = 5;

    /// <summary>Comfortable range (MIDI notes) per lead program.</summary>
    static (int Low, int High) Range(int program) => program switch
    {
        73 => (72, 91),  // flute
        65 => (61, 80),  // alto sax
        56 => (60, 79),  // trumpet
        71 => (58, 82),  // clarinet
        _ => (67, 86),   // synth leads
    };

    public static PartPlan Write(SongContext song, Random rng, (int Program, string Name) instrument)
    {
        var (low, high) = Range(instrument.Program);
        var scale = MusicTheory.ScaleNotes(song.Key, song.Minor, low, high);
        var motifA = Rhythm(rng, song.Density);
        var motifB = Rhythm(rng, Math.Min(1, song.Density + 0.25));
        int contourA = rng.Next(), contourB = rng.Next();
        var notes = new List<NoteEvent>();
        int previous = scale[scale.Length / 2];
        for (int bar = 0; bar + 1 < song.Bars; bar += 2)
        {
            var motif = song.IsChorus(bar) ? motifB : motifA;
            // The contour restarts from the motif's seed in every phrase of a section, so phrases repeat
            // (re-fitted to the current chords); each section gets its own variation.
            var contour = new Random((song.IsChorus(bar) ? contourB : contourA) + bar / 8);
            foreach (var (step, length) in motif)
            {
                int b = bar + step / 16;
                var chord = song.ChordPerBar[b];
                int pitch;
                if (step % 4 == 0 || step + length >= 32)
                {
                    var tones = MusicTheory.ChordNotes(chord, low, high);
                    pitch = tones.OrderBy(p => Math.Abs(p - previous) + contour.Next(3)).First();
                }
                else
                {
                    int i = Array.IndexOf(scale, previous);
                    if (i < 0) i = Array.BinarySearch(scale, previous) is var k && k < 0 ? Math.Min(~k, scale.Length - 1) : k;
                    int move = contour.Next(5) - 2;
                    pitch = scale[Math.Clamp(i + move, 0, scale.Length - 1)];
                }
                notes.Add(new NoteEvent(Channel, pitch, Math.Clamp(88 + rng.Next(-8, 9) + (step % 4 == 0 ? 6 : 0), 20, 127),
                                        song.BarTick(bar) + SongContext.Steps(step), SongContext.Steps(length) - 20));
                previous = pitch;
            }
        }
        return new PartPlan(SynthStems.Lead, instrument.Program, instrument.Name + " melody", "motif", notes);
    }

    /// <summary>Onsets and lengths (in sixteenths) over two bars; denser songs get shorter notes and fewer rests.</summary>
    static List<(int Step, int Length)> Rhythm(Random rng, double density)
    {
        var r = new List<(int, int)>();
        int[] lengths = density > 0.7 ? [2, 2, 2, 4, 1, 3] : density > 0.45 ? [2, 4, 4, 6, 2] : [4, 4, 6, 8];
        int t = 0;
        while (t < 32)
        {
            int len = Math.Min(lengths[rng.Next(lengths.Length)], 32 - t);
            bool rest = t > 0 && rng.NextDouble() < 0.25 * (1.2 - density);
            if (!rest) r.Add((t, len));
            t += len;
        }
        if (r.Count == 0) r.Add((0, 8));
        return r;
    }
}
