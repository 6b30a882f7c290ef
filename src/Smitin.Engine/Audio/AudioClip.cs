namespace Smitin.Audio;

/// <summary>How <see cref="AudioClip.Save"/> and <see cref="AudioClip.ToWavBytes"/> encode samples.</summary>
public enum WavEncoding
{
    /// <summary>32-bit IEEE float (lossless for a clip's samples).</summary>
    Float32,
    /// <summary>16-bit PCM: round(x · 32768) clamped to [-32768, 32767]; reading divides by 32768, so the round-trip error is ≤ 1/65536 inside [-1, 1).</summary>
    Pcm16,
}

/// <summary>
/// A piece of audio in memory: <b>planar</b> float samples <c>Samples[channel][frame]</c>, nominally in [-1, 1].
/// Planar maps directly to a (C, T) tensor (see <see cref="ToTensor"/>).
///
/// Clips are treated as immutable: every operation returns a new clip with its own arrays and never
/// changes its input. <see cref="Samples"/> exposes the arrays for speed; do not write into them after the
/// clip has been shared.
///
/// Channel rules (explicit, no hidden gains):
/// <list type="bullet">
/// <item><see cref="ToMono"/>: the mean of all channels (stereo → (L + R) / 2), so identical channels stay unchanged.</item>
/// <item><see cref="ToChannels"/> from mono: the mono signal is copied into every output channel at full level.</item>
/// <item><see cref="ToChannels"/> to mono: same as <see cref="ToMono"/>. Other layouts (e.g. 2 → 3) are refused.</item>
/// </list>
/// </summary>
public sealed partial class AudioClip
{
    /// <summary>Planar samples: <c>Samples[c][t]</c>, every channel the same length.</summary>
    public float[][] Samples { get; }
    /// <summary>Sample rate in Hz.</summary>
    public int SampleRate { get; }
    /// <summary>Number of channels (1 = mono, 2 = stereo, ...).</summary>
    public int Channels => Samples.Length;
    /// <summary>Samples per channel.</summary>
    public int Frames => Samples[0].Length;
    /// <summary>Length in seconds.</summary>
    public double DurationSeconds => (double)Frames / SampleRate;

    /// <summary>Wraps planar samples (not copied). Every channel must have the same length.</summary>
    public AudioClip(float[][] samples, int sampleRate)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Length == 0) throw new ArgumentException("an audio clip needs at least one channel", nameof(samples));
        if (sampleRate <= 0) throw new ArgumentException($"sample rate must be positive, got {sampleRate}", nameof(sampleRate));
        for (int c = 0; c < samples.Length; c++)
        {
            if (samples[c] is null) throw new ArgumentException($"channel {c} is null", nameof(samples));
            if (samples[c].Length != samples[0].Length)
                throw new ArgumentException($"channel {c} has {samples[c].Length} samples, channel 0 has {samples[0].Length}", nameof(samples));
        }
        Samples = samples;
        SampleRate = sampleRate;
    }

    /// <summary>A mono clip over <paramref name="samples"/> (not copied).</summary>
    public static AudioClip Mono(float[] samples, int sampleRate) => new([samples], sampleRate);

    /// <summary>All-zero audio.</summary>
    public static AudioClip Silence(int channels, int frames, int sampleRate)
    {
        if (channels <= 0) throw new ArgumentException($"channels must be positive, got {channels}", nameof(channels));
        if (frames < 0) throw new ArgumentException($"frames must be ≥ 0, got {frames}", nameof(frames));
        var s = new float[channels][];
        for (int c = 0; c < channels; c++) s[c] = new float[frames];
        return new AudioClip(s, sampleRate);
    }

    /// <summary>Builds a clip from interleaved samples (L R L R ...).</summary>
    public static AudioClip FromInterleaved(ReadOnlySpan<float> interleaved, int channels, int sampleRate)
    {
        if (channels <= 0) throw new ArgumentException($"channels must be positive, got {channels}", nameof(channels));
        if (interleaved.Length % channels != 0)
            throw new ArgumentException($"{interleaved.Length} interleaved samples do not divide into {channels} channels", nameof(interleaved));
        int frames = interleaved.Length / channels;
        var s = new float[channels][];
        for (int c = 0; c < channels; c++) s[c] = new float[frames];
        for (int t = 0, i = 0; t < frames; t++)
            for (int c = 0; c < channels; c++) s[c][t] = interleaved[i++];
        return new AudioClip(s, sampleRate);
    }

    /// <summary>Interleaved copy (L R L R ...), the order WAV files and NAudio use.</summary>
    public float[] ToInterleaved()
    {
        int ch = Channels, frames = Frames;
        var o = new float[ch * frames];
        for (int t = 0, i = 0; t < frames; t++)
            for (int c = 0; c < ch; c++) o[i++] = Samples[c][t];
        return o;
    }

    /// <summary>A deep copy (sample arrays copied).</summary>
    public AudioClip Clone() => new(Samples.Select(ch => (float[])ch.Clone()).ToArray(), SampleRate);

    // ---- channels -------------------------------------------------------------------------

    /// <summary>The mean of all channels. A mono clip is returned as a copy.</summary>
    public AudioClip ToMono()
    {
        if (Channels == 1) return Clone();
        int frames = Frames;
        var m = new float[frames];
        float inv = 1f / Channels;
        for (int t = 0; t < frames; t++)
        {
            float sum = 0;
            for (int c = 0; c < Channels; c++) sum += Samples[c][t];
            m[t] = sum * inv;
        }
        return Mono(m, SampleRate);
    }

    /// <summary>Converts to <paramref name="channels"/> channels using the rules in the class summary.</summary>
    public AudioClip ToChannels(int channels)
    {
        if (channels <= 0) throw new ArgumentException($"channels must be positive, got {channels}", nameof(channels));
        if (channels == Channels) return Clone();
        if (channels == 1) return ToMono();
        if (Channels == 1)
        {
            var s = new float[channels][];
            for (int c = 0; c < channels; c++) s[c] = (float[])Samples[0].Clone();
            return new AudioClip(s, SampleRate);
        }
        throw new SmitinException($"cannot convert {Channels} channels to {channels}: only mono↔N conversions are defined (downmix = mean, upmix = copy)");
    }

    /// <summary>
    /// The clip with <paramref name="channels"/> channels (<see cref="ToChannels"/>) at <paramref name="sampleRate"/>
    /// (<see cref="Resample"/>); null keeps the clip's own. Channels are converted first (a downmix makes the resampling
    /// cheaper). The one conform path of the engine: the model's input (<c>MusicGen.Conform</c>), probing segments, the
    /// judge's features. Returns this clip itself when it already matches.
    /// </summary>
    /// <exception cref="SmitinException">a channel layout that cannot be converted (e.g. 2 → 3)</exception>
    public AudioClip Conform(int? channels, int? sampleRate)
    {
        var clip = this;
        if (channels is { } c && c != clip.Channels) clip = clip.ToChannels(c);
        if (sampleRate is { } r && r != clip.SampleRate) clip = clip.Resample(r);
        return clip;
    }

    // ---- time -----------------------------------------------------------------------------

    /// <summary>Frames [start, start + frames). The range must lie inside the clip.</summary>
    public AudioClip Slice(int startFrame, int frames)
    {
        if (startFrame < 0 || frames < 0 || startFrame + (long)frames > Frames)
            throw new ArgumentOutOfRangeException(nameof(startFrame), $"slice [{startFrame}, {startFrame + (long)frames}) is outside the clip's {Frames} frames");
        var s = new float[Channels][];
        for (int c = 0; c < Channels; c++) s[c] = Samples[c].AsSpan(startFrame, frames).ToArray();
        return new AudioClip(s, SampleRate);
    }

    /// <summary><see cref="Slice(int,int)"/> in seconds (rounded to the nearest frame).</summary>
    public AudioClip SliceSeconds(double startSeconds, double durationSeconds) =>
        Slice((int)Math.Round(startSeconds * SampleRate), (int)Math.Round(durationSeconds * SampleRate));

    /// <summary>Cuts the end off or appends silence so the clip has exactly <paramref name="frames"/> frames.</summary>
    public AudioClip PadOrTrim(int frames)
    {
        if (frames < 0) throw new ArgumentOutOfRangeException(nameof(frames), $"frames must be ≥ 0, got {frames}");
        var s = new float[Channels][];
        for (int c = 0; c < Channels; c++)
        {
            s[c] = new float[frames];
            Samples[c].AsSpan(0, Math.Min(frames, Frames)).CopyTo(s[c]);
        }
        return new AudioClip(s, SampleRate);
    }

    // ---- arithmetic -----------------------------------------------------------------------

    /// <summary>Sample-wise sum. Both clips must have the same rate, channels and length.</summary>
    public AudioClip Add(AudioClip other) => Combine(other, 1f, nameof(Add));

    /// <summary>Sample-wise difference this − other. Same shape rules as <see cref="Add"/>.</summary>
    public AudioClip Subtract(AudioClip other) => Combine(other, -1f, nameof(Subtract));

    AudioClip Combine(AudioClip other, float sign, string op)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.SampleRate != SampleRate || other.Channels != Channels || other.Frames != Frames)
            throw new SmitinException($"{op}: clips differ: {Describe()} vs {other.Describe()}; expected the same rate, channels and length");
        var s = new float[Channels][];
        for (int c = 0; c < Channels; c++)
        {
            var a = Samples[c]; var b = other.Samples[c]; var o = s[c] = new float[a.Length];
            for (int t = 0; t < a.Length; t++) o[t] = a[t] + sign * b[t];
        }
        return new AudioClip(s, SampleRate);
    }

    /// <summary>Every sample multiplied by <paramref name="gain"/>.</summary>
    public AudioClip Scale(float gain)
    {
        var s = new float[Channels][];
        for (int c = 0; c < Channels; c++)
        {
            var a = Samples[c]; var o = s[c] = new float[a.Length];
            for (int t = 0; t < a.Length; t++) o[t] = a[t] * gain;
        }
        return new AudioClip(s, SampleRate);
    }

    // ---- levels ---------------------------------------------------------------------------

    /// <summary>Largest absolute sample over all channels.</summary>
    public float Peak()
    {
        float p = 0;
        foreach (var ch in Samples) foreach (var v in ch) p = Math.Max(p, Math.Abs(v));
        return p;
    }

    /// <summary>Root mean square over all channels and frames (0 for an empty clip).</summary>
    public double Rms()
    {
        double sum = 0; long n = 0;
        foreach (var ch in Samples) { foreach (var v in ch) sum += (double)v * v; n += ch.Length; }
        return n == 0 ? 0 : Math.Sqrt(sum / n);
    }

    /// <summary><see cref="Rms"/> in dBFS (a full-scale sine is −3 dBFS); −∞ for silence.</summary>
    public double RmsDbfs() => 20 * Math.Log10(Rms());

    /// <summary>
    /// Loudness normalisation by one gain for the whole clip (no compression, no per-channel gains).
    /// <see cref="LoudnessMode.Peak"/>: the largest absolute sample becomes <paramref name="targetDbfs"/>.
    /// <see cref="LoudnessMode.Rms"/>: the RMS over all channels becomes <paramref name="targetDbfs"/>, but the gain is
    /// lowered if needed so the peak stays at or below <paramref name="peakCeilingDbfs"/> (default −0.1 dBFS: no clipping).
    /// A silent clip (peak 0) is returned unchanged.
    /// </summary>
    public AudioClip Normalize(LoudnessMode mode, double targetDbfs, double peakCeilingDbfs = -0.1)
    {
        float peak = Peak();
        if (peak == 0) return Clone();
        double target = Math.Pow(10, targetDbfs / 20);
        double gain = mode switch
        {
            LoudnessMode.Peak => target / peak,
            LoudnessMode.Rms => Math.Min(target / Rms(), Math.Pow(10, peakCeilingDbfs / 20) / peak),
            _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "expected Peak or Rms"),
        };
        return Scale((float)gain);
    }

    /// <summary>Index of the first NaN or infinite sample as (channel, frame), or null if all are finite.</summary>
    public (int Channel, int Frame)? FindNonFinite()
    {
        for (int c = 0; c < Channels; c++)
        {
            var a = Samples[c];
            for (int t = 0; t < a.Length; t++) if (!float.IsFinite(a[t])) return (c, t);
        }
        return null;
    }

    /// <summary>"2 ch, 44100 Hz, 88200 frames (2.000 s)".</summary>
    public string Describe() => $"{Channels} ch, {SampleRate} Hz, {Frames} frames ({DurationSeconds:F3} s)";

    /// <summary><c>AudioClip(2 ch, 44100 Hz, ...)</c>.</summary>
    public override string ToString() => $"AudioClip({Describe()})";
}

/// <summary>What <see cref="AudioClip.Normalize"/> measures.</summary>
public enum LoudnessMode
{
    /// <summary>Largest absolute sample over every channel.</summary>
    Peak,
    /// <summary>Root mean square over every channel.</summary>
    Rms,
}
