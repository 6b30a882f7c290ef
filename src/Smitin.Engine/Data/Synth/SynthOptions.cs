using Smitin.Audio;

namespace Smitin.Data.Synth;

/// <summary>Settings of <see cref="SyntheticSongGenerator"/>. Defaults: 24 songs of 10 s (a first probe set in a few
/// minutes on a CPU), 32 kHz mono 16-bit (MusicGen's rate).</summary>
public sealed record SynthOptions
{
    /// <summary>Number of songs (option <c>--songs</c>).</summary>
    public int Songs { get; init; } = 24;
    /// <summary>Length of every song in seconds (option <c>--song-seconds</c>).</summary>
    public double Seconds { get; init; } = 10;
    /// <summary>Seed of the compositions (option <c>--seed</c>); the same seed gives the same songs. Null = a random seed
    /// (<see cref="RandomSeed"/>), recorded in synth.json and <see cref="SynthResult.Seed"/>.</summary>
    public int? Seed { get; init; }
    /// <summary>Sample rate of the rendered WAVs in Hz (option <c>--sample-rate</c>).</summary>
    public int SampleRate { get; init; } = 32000;
    /// <summary>1 = mono (mean of fluidsynth's stereo output), 2 = stereo.</summary>
    public int Channels { get; init; } = 1;
    /// <summary>Pcm16 halves the disk use (200 × 30 s mono ≈ 1.5 GB with all stems); Float32 is lossless.</summary>
    public WavEncoding Encoding { get; init; } = WavEncoding.Pcm16;
    /// <summary>General MIDI SoundFont (.sf2) fluidsynth renders with.</summary>
    public string SoundFont { get; init; } = FluidSynthRenderer.DefaultSoundFont;
    /// <summary>The fluidsynth executable (a name on PATH or a path).</summary>
    public string FluidSynth { get; init; } = "fluidsynth";
    /// <summary>Songs rendered in parallel (one fluidsynth process each).</summary>
    public int Jobs { get; init; } = Environment.ProcessorCount;

    /// <summary>Checks the values.</summary>
    /// <exception cref="OptionException">a value is out of range (<c>songs</c>, <c>song-seconds</c>, <c>sample-rate</c>, <c>jobs</c>)</exception>
    public void Validate()
    {
        if (Songs is < 1 or > 100_000) throw new OptionException("songs", $"expected between 1 and 100000, got {Songs}");
        if (!(Seconds is >= 1 and <= 600)) throw new OptionException("song-seconds", $"expected a number of seconds in [1, 600] (a song needs at least a bar), got {OptionRange.Text(Seconds)}");
        if (SampleRate is < 8000 or > 96000) throw new OptionException("sample-rate", $"expected between 8000 and 96000 Hz, got {SampleRate}");
        if (Channels is < 1 or > 2) throw new SmitinException($"channels must be 1 or 2, got {Channels}");
        if (Jobs < 1) throw new OptionException("jobs", $"expected >= 1, got {Jobs}");
    }
}

/// <summary>What a generator run did.</summary>
/// <param name="StemCounts">How many songs contain each stem (every stem is in some songs and missing from others when Songs ≥ 2).</param>
/// <param name="OutputDirectory">The collection folder written.</param>
/// <param name="Elapsed">Wall-clock time of the run.</param>
/// <param name="Reused">Songs already complete on disk and kept.</param>
/// <param name="Generated">Songs rendered by this run.</param>
/// <param name="Seed">The seed of the compositions (the one given, or the random one drawn; also in synth.json).</param>
public sealed record SynthResult(string OutputDirectory, int Generated, int Reused, TimeSpan Elapsed, IReadOnlyDictionary<string, int> StemCounts, int Seed);
