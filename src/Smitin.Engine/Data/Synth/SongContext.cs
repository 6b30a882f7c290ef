namespace Smitin.Data.Synth;

/// <summary>What every part writer needs to know about the song: harmony per bar, form and density.</summary>
sealed record SongContext(int Key, bool Minor, Chord[] ChordPerBar, int Bars, double Density)
{
    /// <summary>8-bar sections alternate verse (A) and chorus (B), starting with a verse.</summary>
    public bool IsChorus(int bar) => (bar / 8) % 2 == 1;
    /// <summary>Section density: the chorus is busier.</summary>
    public double DensityAt(int bar) => Math.Min(1.0, Density + (IsChorus(bar) ? 0.25 : 0));
    public bool IsSectionStart(int bar) => bar % 8 == 0;
    public bool IsSectionEnd(int bar) => bar % 8 == 7;
    public long BarTick(int bar) => (long)bar * SongPlan.TicksPerBar;
    public static long Steps(double steps) => (long)Math.Round(steps * SongPlan.TicksPerStep);
}
