namespace Smitin.Data.Synth;

/// <summary>Bass, piano, guitar and string parts that follow the chord of each bar.</summary>
static class HarmonyWriter
{
    const int BassChannel = 1, PianoChannel = 2, GuitarChannel = 3, StringsChannel = 4;

    static NoteEvent Note(int channel, int pitch, int vel, long start, long duration, Random rng) =>
        new(channel, pitch, Math.Clamp(vel + rng.Next(-6, 7), 20, 127), start, Math.Max(30, duration));

    // ---- bass: roots from E1 (41 Hz) to D#2 (78 Hz), so most energy stays below 300 Hz ------

    public static readonly string[] BassStyles = ["root quarters", "root-fifth", "eighths", "syncopated", "walking"];

    public static PartPlan Bass(SongContext song, Random rng, (int Program, string Name) instrument)
    {
        string style = BassStyles[rng.Next(BassStyles.Length)];
        var notes = new List<NoteEvent>();
        for (int bar = 0; bar < song.Bars; bar++)
        {
            var chord = song.ChordPerBar[bar];
            var next = song.ChordPerBar[Math.Min(bar + 1, song.Bars - 1)];
            int root = MusicTheory.NoteAtOrAbove(chord.Root, 28);
            int fifth = root + 7, octave = root + 12;
            long t0 = song.BarTick(bar);
            void N(int pitch, double step, double len, int vel = 90) =>
                notes.Add(Note(BassChannel, pitch, vel, t0 + SongContext.Steps(step), SongContext.Steps(len) - 20, rng));
            switch (style)
            {
                case "root quarters": foreach (var s in new[] { 0, 4, 8, 12 }) N(root, s, 3.5); break;
                case "root-fifth":
                    N(root, 0, 6); N(fifth, 8, 4);
                    if (song.DensityAt(bar) > 0.5) N(octave, 12, 2); else N(fifth, 12, 3.5);
                    break;
                case "eighths": for (int s = 0; s < 16; s += 2) N(s == 14 && song.DensityAt(bar) > 0.6 ? octave : root, s, 1.8, s % 4 == 0 ? 100 : 85); break;
                case "syncopated": N(root, 0, 3); N(root, 3, 2); N(octave, 6, 2); N(fifth, 8, 3); N(root, 11, 2); N(fifth, 14, 2); break;
                default: // walking: root, chord tone, scale tone, approach to the next root from a semitone below
                    int third = MusicTheory.NoteAtOrAbove(chord.PitchClasses[1], root);
                    int nextRoot = MusicTheory.NoteAtOrAbove(next.Root, 28);
                    N(root, 0, 3.8); N(third, 4, 3.8); N(fifth, 8, 3.8); N(nextRoot - 1, 12, 3.8, 85);
                    break;
            }
        }
        return new PartPlan(SynthStems.Bass, instrument.Program, instrument.Name, style, notes);
    }

    // ---- piano ------------------------------------------------------------------------

    public static readonly string[] PianoStyles = ["block chords", "half notes", "arpeggio", "syncopated"];

    public static PartPlan Piano(SongContext song, Random rng, (int Program, string Name) instrument)
    {
        string style = PianoStyles[rng.Next(PianoStyles.Length)];
        var notes = new List<NoteEvent>();
        for (int bar = 0; bar < song.Bars; bar++)
        {
            var chord = song.ChordPerBar[bar];
            int[] voicing = ClosedVoicing(chord, 55, 3);
            int lh = MusicTheory.NoteAtOrAbove(chord.Root, 45);
            long t0 = song.BarTick(bar);
            bool busy = song.DensityAt(bar) > 0.7;
            void Chord(double step, double len, int vel) { foreach (var p in voicing) notes.Add(Note(PianoChannel, p, vel, t0 + SongContext.Steps(step), SongContext.Steps(len) - 20, rng)); }
            void N(int pitch, double step, double len, int vel) => notes.Add(Note(PianoChannel, pitch, vel, t0 + SongContext.Steps(step), SongContext.Steps(len) - 20, rng));
            switch (style)
            {
                case "block chords": for (int s = 0; s < 16; s += busy ? 2 : 4) Chord(s, busy ? 1.8 : 3.6, s % 4 == 0 ? 80 : 65); break;
                case "half notes": N(lh, 0, 15.5, 70); Chord(0, 7.6, 75); Chord(8, 7.6, 68); break;
                case "arpeggio":
                    N(lh, 0, 15.5, 70);
                    int[] order = [0, 1, 2, 1];
                    double step = busy ? 1 : 2;
                    for (int i = 0; i * step < 16; i++) N(voicing[order[i % order.Length]] + (i % 8 >= 4 ? 12 : 0), i * step, step * 0.95, 70);
                    break;
                default: foreach (var s in new[] { 0, 3, 6, 10, 12 }) Chord(s, 2.5, s == 0 ? 82 : 70); break;
            }
        }
        return new PartPlan(SynthStems.Piano, instrument.Program, instrument.Name, style, notes);
    }

    /// <summary><paramref name="count"/> chord tones stacked upward from the lowest one at or above <paramref name="low"/>.</summary>
    static int[] ClosedVoicing(Chord chord, int low, int count) =>
        MusicTheory.ChordNotes(chord, low, low + 24).Take(count).ToArray();

    // ---- guitar -----------------------------------------------------------------------

    public static PartPlan Guitar(SongContext song, Random rng, (int Program, string Name) instrument)
    {
        bool distorted = instrument.Program is 29 or 30;
        string[] styles = distorted ? ["power eighths", "power strum"] : ["strum", "picking", "offbeat"];
        string style = styles[rng.Next(styles.Length)];
        var notes = new List<NoteEvent>();
        for (int bar = 0; bar < song.Bars; bar++)
        {
            var chord = song.ChordPerBar[bar];
            int root = MusicTheory.NoteAtOrAbove(chord.Root, 40);
            int[] shape = distorted ? [root, root + 7, root + 12]
                : [root, root + 7, root + 12, MusicTheory.NoteAtOrAbove(chord.PitchClasses[1], root + 12), root + 19];
            long t0 = song.BarTick(bar);
            bool busy = song.DensityAt(bar) > 0.7;
            void Strum(double step, double len, int vel, bool down)
            {
                var order = down ? shape : shape.Reverse().ToArray();
                for (int i = 0; i < order.Length; i++)
                    notes.Add(Note(GuitarChannel, order[i], vel - (down ? 0 : 12), t0 + SongContext.Steps(step) + i * 12, SongContext.Steps(len) - 20 - i * 12, rng));
            }
            switch (style)
            {
                case "strum":
                    (int s, bool d)[] pattern = busy ? [(0, true), (4, true), (6, false), (10, false), (12, true), (14, false)] : [(0, true), (6, false), (8, true), (12, true)];
                    for (int i = 0; i < pattern.Length; i++)
                    {
                        int end = i + 1 < pattern.Length ? pattern[i + 1].s : 16;
                        Strum(pattern[i].s, end - pattern[i].s, 80, pattern[i].d);
                    }
                    break;
                case "picking":
                    int[] idx = [0, 2, 1, 3, 4, 3, 2, 1];
                    for (int i = 0; i < 8; i++) notes.Add(Note(GuitarChannel, shape[idx[i]], 75, t0 + SongContext.Steps(2 * i), SongContext.Steps(2) - 20, rng));
                    break;
                case "offbeat": foreach (var s in busy ? new[] { 2, 6, 10, 14 } : new[] { 4, 12 }) Strum(s, 1.5, 78, true); break;
                case "power eighths": for (int s = 0; s < 16; s += 2) Strum(s, busy ? 1.8 : 1.0, s % 4 == 0 ? 95 : 80, true); break;
                default: Strum(0, 6, 95, true); Strum(6, 2, 85, true); Strum(8, 8, 92, true); break; // power strum
            }
        }
        return new PartPlan(SynthStems.Guitar, instrument.Program, instrument.Name, style, notes);
    }

    // ---- strings ----------------------------------------------------------------------

    public static PartPlan Strings(SongContext song, Random rng, (int Program, string Name) instrument)
    {
        string style = rng.NextDouble() < 0.6 ? "pad" : "half-note swells";
        var notes = new List<NoteEvent>();
        for (int bar = 0; bar < song.Bars; bar++)
        {
            var chord = song.ChordPerBar[bar];
            var voicing = ClosedVoicing(chord, 53, 3).ToList();
            if (song.IsChorus(bar)) voicing.Add(voicing[0] + 12);
            long t0 = song.BarTick(bar);
            foreach (var p in voicing)
            {
                if (style == "pad") notes.Add(Note(StringsChannel, p, 70, t0, SongPlan.TicksPerBar - 20, rng));
                else { notes.Add(Note(StringsChannel, p, 72, t0, SongContext.Steps(8) - 20, rng)); notes.Add(Note(StringsChannel, p, 62, t0 + SongContext.Steps(8), SongContext.Steps(8) - 20, rng)); }
            }
        }
        return new PartPlan(SynthStems.Strings, instrument.Program, instrument.Name, style, notes);
    }
}
