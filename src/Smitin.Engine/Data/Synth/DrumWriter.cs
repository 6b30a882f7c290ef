namespace Smitin.Data.Synth;

/// <summary>Drum grooves on General MIDI channel 10 (0-based 9), 16 steps per bar, with crashes and fills.</summary>
static class DrumWriter
{
    const int Channel = 9;
    const int Kick = 36, Snare = 38, Clap = 39, ClosedHat = 42, PedalHat = 44, OpenHat = 46, Crash = 49, Ride = 51;
    static readonly int[] Toms = [50, 48, 45, 41];

    public static readonly string[] Grooves = ["rock", "four-on-the-floor", "half-time", "funk", "shuffle"];

    public static PartPlan Write(SongContext song, Random rng)
    {
        string groove = Grooves[rng.Next(Grooves.Length)];
        var notes = new List<NoteEvent>();
        for (int bar = 0; bar < song.Bars; bar++)
        {
            long t0 = song.BarTick(bar);
            double density = song.DensityAt(bar);
            bool fill = song.IsSectionEnd(bar) && rng.NextDouble() < 0.7;
            void Hit(int pitch, double step, int vel) =>
                notes.Add(new NoteEvent(Channel, pitch, Math.Clamp(vel + rng.Next(-8, 9), 20, 127), t0 + SongContext.Steps(step), SongContext.Steps(1)));

            if (song.IsSectionStart(bar)) Hit(Crash, 0, 100);
            var (kicks, snares, hats, hatPitch) = Pattern(groove, density, rng);
            foreach (var s in kicks) Hit(Kick, s, 105);
            foreach (var s in snares) if (!(fill && s >= 12)) Hit(groove == "four-on-the-floor" && bar % 2 == 1 ? Clap : Snare, s, 100);
            foreach (var s in hats)
                if (!(fill && s >= 12) && !(song.IsSectionStart(bar) && s == 0))
                    Hit(hatPitch, s, s % 4 == 0 ? 85 : 65);
            if (groove == "four-on-the-floor") foreach (var s in new[] { 2, 6, 10, 14 }) if (!(fill && s >= 12)) Hit(OpenHat, s, 70);
            if (fill)
                for (int s = 12; s < 16; s++) Hit(rng.NextDouble() < 0.5 ? Snare : Toms[(s - 12 + rng.Next(2)) % Toms.Length], s, 80 + 5 * (s - 12));
        }
        return new PartPlan(SynthStems.Drums, 0, "drums", groove, notes);
    }

    /// <summary>Kick, snare and hat steps of one bar.</summary>
    static (int[] Kicks, int[] Snares, int[] Hats, int HatPitch) Pattern(string groove, double density, Random rng)
    {
        int[] eighths = [0, 2, 4, 6, 8, 10, 12, 14];
        int[] sixteenths = Enumerable.Range(0, 16).ToArray();
        int[] busyHats = density > 0.75 ? sixteenths : eighths;
        return groove switch
        {
            "rock" => ([0, 8, .. rng.NextDouble() < density ? new[] { 10 } : []], [4, 12], busyHats, ClosedHat),
            "four-on-the-floor" => ([0, 4, 8, 12], [4, 12], density > 0.6 ? sixteenths.Where(s => s % 2 == 1).ToArray() : [], ClosedHat),
            "half-time" => ([0, 3, .. rng.NextDouble() < density ? new[] { 11 } : []], [8], eighths, density > 0.7 ? ClosedHat : PedalHat),
            "funk" => ([0, 3, 10], [4, 12, .. rng.NextDouble() < density ? new[] { 7, 15 } : []], sixteenths, ClosedHat),
            _ /* shuffle */ => ([0, 8, .. rng.NextDouble() < density ? new[] { 11 } : []], [4, 12], [0, 3, 4, 7, 8, 11, 12, 15], Ride),
        };
    }
}
