using NAudio.Midi;

namespace Smitin.Data.Synth;

/// <summary>Writes one part as a standard MIDI file (type 1: a tempo track and a note track) with NAudio.Midi.</summary>
static class MidiExport
{
    /// <summary>Pan (MIDI CC 10) per stem, so a stereo render has some width; 64 = centre.</summary>
    static int Pan(string stem) => stem switch
    {
        SynthStems.Piano => 44,
        SynthStems.Guitar => 88,
        SynthStems.Strings => 56,
        SynthStems.Lead => 72,
        _ => 64,
    };

    public static byte[] ToBytes(PartPlan part, int tempo, long endTick)
    {
        var events = new MidiEventCollection(1, SongPlan.TicksPerQuarter);
        events.AddTrack();
        events.AddTrack();
        events.AddEvent(new TempoEvent(60_000_000 / tempo, 0), 0);
        events.AddEvent(new TimeSignatureEvent(0, 4, 2, 24, 8), 0);
        events.AddEvent(new MetaEvent(MetaEventType.EndTrack, 0, endTick), 0);

        int channel = (part.Stem == SynthStems.Drums ? 9 : part.Notes.FirstOrDefault().Channel) + 1; // NAudio channels are 1-based
        if (part.Stem != SynthStems.Drums) events.AddEvent(new PatchChangeEvent(0, channel, part.Program), 1);
        events.AddEvent(new ControlChangeEvent(0, channel, MidiController.MainVolume, 100), 1);
        events.AddEvent(new ControlChangeEvent(0, channel, MidiController.Pan, Pan(part.Stem)), 1);
        foreach (var n in part.Notes)
        {
            if (n.Start >= endTick) continue;
            long duration = Math.Min(n.Duration, endTick - n.Start);
            var on = new NoteOnEvent(n.Start, n.Channel + 1, n.Pitch, n.Velocity, (int)duration);
            events.AddEvent(on, 1);
            events.AddEvent(on.OffEvent, 1);
        }
        events.AddEvent(new MetaEvent(MetaEventType.EndTrack, 0, endTick), 1);
        events.PrepareForExport();
        using var ms = new MemoryStream();
        MidiFile.Export(ms, events);
        return ms.ToArray();
    }
}
