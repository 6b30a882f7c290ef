namespace Smitin.Data.Synth;

/// <summary>A triad: root pitch class (0 = C) and the pitch classes of the chord (root, third, fifth).</summary>
public readonly record struct Chord(int Root, int[] PitchClasses, string Name);

/// <summary>Scales, diatonic triads and common progressions; pitch classes are 0..11 with 0 = C.</summary>
static class MusicTheory
{
    public static readonly string[] NoteNames = ["C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B"];
    public static readonly int[] MajorScale = [0, 2, 4, 5, 7, 9, 11];
    public static readonly int[] MinorScale = [0, 2, 3, 5, 7, 8, 10];

    /// <summary>Four-bar progressions as 0-based scale degrees (I V vi IV = 0 4 5 3).</summary>
    public static readonly int[][] MajorProgressions = [[0, 4, 5, 3], [0, 3, 4, 3], [5, 3, 0, 4], [0, 5, 3, 4], [0, 3, 5, 4], [1, 4, 0, 0], [0, 2, 3, 4]];
    public static readonly int[][] MinorProgressions = [[0, 5, 2, 6], [0, 3, 4, 0], [0, 6, 5, 6], [0, 3, 5, 4], [0, 5, 3, 4], [0, 2, 6, 3]];

    public static int[] Scale(bool minor) => minor ? MinorScale : MajorScale;

    /// <summary>The diatonic triad on a 0-based scale degree of a key.</summary>
    public static Chord Triad(int key, bool minor, int degree)
    {
        var scale = Scale(minor);
        int Pc(int d) => (key + scale[d % 7]) % 12;
        int root = Pc(degree), third = Pc(degree + 2), fifth = Pc(degree + 4);
        int thirdInterval = (third - root + 12) % 12, fifthInterval = (fifth - root + 12) % 12;
        string quality = thirdInterval == 4 ? "" : fifthInterval == 6 ? "dim" : "m";
        return new Chord(root, [root, third, fifth], NoteNames[root] + quality);
    }

    /// <summary>The MIDI note of pitch class <paramref name="pc"/> nearest above or at <paramref name="low"/>.</summary>
    public static int NoteAtOrAbove(int pc, int low) => low + ((pc - low % 12) % 12 + 12) % 12;

    /// <summary>All MIDI notes of the key's scale within [low, high].</summary>
    public static int[] ScaleNotes(int key, bool minor, int low, int high) =>
        Enumerable.Range(low, high - low + 1).Where(n => Scale(minor).Contains(((n - key) % 12 + 12) % 12)).ToArray();

    /// <summary>The chord's pitch classes within [low, high], ascending.</summary>
    public static int[] ChordNotes(Chord chord, int low, int high) =>
        Enumerable.Range(low, high - low + 1).Where(n => chord.PitchClasses.Contains(n % 12)).ToArray();
}
