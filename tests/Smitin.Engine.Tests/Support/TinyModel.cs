using Smitin.Models;

namespace Smitin.Tests.Support;

/// <summary>Loads a model folder through the public <see cref="MusicGen.Load"/>, with the log captured.</summary>
public static class TinyModel
{
    static TinyModel()
    {
        // TEMPORARY (remove with MusicGen.PendingPartPrefixesForTests): the codec and decoder loaders are being
        // written in parallel branches; until they land, their tensors would be reported as unknown.
        var pending = new List<string>();
        if (typeof(MusicGen).GetMethod("LoadCodec", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic) is null) pending.Add("audio_encoder.");
        if (typeof(MusicGen).GetMethod("LoadDecoder", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic) is null) pending.Add("decoder.");
        MusicGen.PendingPartPrefixesForTests = [.. pending];
    }

    public static MusicGen Load(string? folder = null, List<string>? log = null) =>
        MusicGen.Load(folder ?? Fixture.Model(), new MusicGenLoadOptions
        {
            Log = log is null ? _ => { } : s => { lock (log) log.Add(s); },
        });

    /// <summary>One shared instance of the fixture model for read-only parity tests.</summary>
    public static MusicGen Shared => _shared.Value;
    static readonly Lazy<MusicGen> _shared = new(() => Load());
}
