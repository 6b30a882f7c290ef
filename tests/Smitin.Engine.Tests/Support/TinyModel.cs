using Smitin.Models;

namespace Smitin.Tests.Support;

/// <summary>Loads a model folder through the public <see cref="MusicGen.Load"/>, with the log captured.</summary>
public static class TinyModel
{
    public static MusicGen Load(string? folder = null, List<string>? log = null) =>
        MusicGen.Load(folder ?? Fixture.Model(), new MusicGenLoadOptions
        {
            Log = log is null ? _ => { } : s => { lock (log) log.Add(s); },
        });

    /// <summary>One shared instance of the fixture model for read-only parity tests.</summary>
    public static MusicGen Shared => _shared.Value;
    static readonly Lazy<MusicGen> _shared = new(() => Load());
}
