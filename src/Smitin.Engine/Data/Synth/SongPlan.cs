namespace Smitin.Data.Synth;

/// <summary>A MIDI note in ticks (480 per quarter note). Channel is 0-based (9 = General MIDI drums).</summary>
public readonly record struct NoteEvent(int Channel, int Pitch, int Velocity, long Start, long Duration);

/// <summary>One stem of a song: its name (the WAV file name), General MIDI program and notes.</summary>
/// <param name="Stem">drums, bass, piano, guitar, strings or lead.</param>
/// <param name="Program">0-based General MIDI program (ignored for drums).</param>
/// <param name="Style">The pattern used, e.g. "arpeggio" or "four-on-the-floor".</param>
/// <param name="InstrumentName">General MIDI instrument name of <paramref name="Program"/> (for the
/// description).</param>
/// <param name="Notes">The notes, sorted by start tick.</param>
public sealed record PartPlan(string Stem, int Program, string InstrumentName, string Style, IReadOnlyList<NoteEvent> Notes);

/// <summary>A composed song: everything needed to write its MIDI and describe it.</summary>
/// <param name="Seed">The song's own seed (derived from the collection seed and <paramref name="Index"/>).</param>
/// <param name="Key">Tonic pitch class, 0 = C.</param>
/// <param name="Progression">The verse's four chords (the chorus may use another progression).</param>
/// <param name="Bars">Bars of 4/4 written; the audio is trimmed to the requested length.</param>
/// <param name="Density">Arrangement density in [0.3, 1]: busier patterns and fewer rests when higher.</param>
/// <param name="Parts">One plan per stem the song contains.</param>
/// <param name="Description">Text description of the song (its caption).</param>
/// <param name="Minor">True for a minor key.</param>
/// <param name="Tempo">Beats per minute.</param>
/// <param name="Index">Position of the song in its collection (0-based; names the files <c>song_NNNN</c>).</param>
public sealed record SongPlan(
    int Index, int Seed, int Tempo, int Key, bool Minor, IReadOnlyList<Chord> Progression,
    int Bars, double Density, IReadOnlyList<PartPlan> Parts, string Description)
{
    /// <summary>MIDI ticks per quarter note (the resolution of every <see cref="NoteEvent"/>).</summary>
    public const int TicksPerQuarter = 480;
    /// <summary>MIDI ticks per 4/4 bar.</summary>
    public const int TicksPerBar = 4 * TicksPerQuarter;
    /// <summary>MIDI ticks per sixteenth note, the step of the pattern grids.</summary>
    public const int TicksPerStep = TicksPerQuarter / 4; // a sixteenth

    /// <summary>Key as text, e.g. <c>A minor</c>.</summary>
    public string KeyName => MusicTheory.NoteNames[Key] + (Minor ? " minor" : " major");
    /// <summary>File stem of the song, <c>song_NNNN</c>.</summary>
    public string Id => $"song_{Index:D4}";
}

/// <summary>The stems the generator can produce, with the General MIDI programs it picks from.</summary>
public static class SynthStems
{
    /// <summary>Stem names: the WAV file names of a song folder and the trait names of probes and judges.</summary>
    public const string Drums = "drums", Bass = "bass", Piano = "piano", Guitar = "guitar", Strings = "strings", Lead = "lead";
    /// <summary>Every stem name, in the order the generator considers them.</summary>
    public static readonly string[] All = [Drums, Bass, Piano, Guitar, Strings, Lead];

    /// <summary>Share of songs that contain each stem (balanced per collection; see the generator).</summary>
    public static readonly IReadOnlyDictionary<string, double> Presence = new Dictionary<string, double>
    {
        [Drums] = 0.6, [Bass] = 0.65, [Piano] = 0.5, [Guitar] = 0.5, [Strings] = 0.4, [Lead] = 0.5,
    };

    /// <summary>(program, name) choices per pitched stem.</summary>
    public static readonly IReadOnlyDictionary<string, (int Program, string Name)[]> Programs = new Dictionary<string, (int, string)[]>
    {
        [Bass] = [(32, "acoustic bass"), (33, "electric bass"), (35, "fretless bass"), (38, "synth bass")],
        [Piano] = [(0, "grand piano"), (1, "bright piano"), (4, "electric piano"), (5, "electric piano")],
        [Guitar] = [(24, "nylon guitar"), (25, "acoustic guitar"), (26, "jazz guitar"), (29, "overdriven guitar"), (30, "distorted guitar")],
        [Strings] = [(48, "string ensemble"), (49, "slow strings"), (50, "synth strings")],
        [Lead] = [(73, "flute"), (65, "alto sax"), (56, "trumpet"), (71, "clarinet"), (80, "square lead"), (81, "saw lead")],
    };
}
