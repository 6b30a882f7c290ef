namespace Smitin.Audio;

// WAV input and output of AudioClip (the codec itself is in WavFile.cs).
public sealed partial class AudioClip
{
    /// <summary>
    /// Reads a WAV file: PCM 8/16/24/32-bit or IEEE float 32/64-bit, mono or stereo (plain or WAVE_FORMAT_EXTENSIBLE).
    /// PCM is scaled to [-1, 1) (16-bit: v / 32768). A missing, empty, corrupt, truncated or unsupported file,
    /// a file with no samples, or one with a NaN/infinite sample is a <see cref="SmitinException"/> naming the file.
    /// </summary>
    /// <param name="path">the WAV file</param>
    /// <returns>planar float samples at the file's rate and channel count</returns>
    /// <exception cref="SmitinException">the file is missing, corrupt, unsupported or holds no or non-finite samples</exception>
    public static AudioClip Load(string path) => WavFile.Read(path);

    /// <summary>Decodes WAV bytes held in memory (the inverse of <see cref="ToWavBytes"/>).</summary>
    public static AudioClip FromWavBytes(byte[] wav, string name = "(in-memory WAV)")
    {
        using var ms = new MemoryStream(wav, writable: false);
        return WavFile.Read(ms, name);
    }

    /// <summary>Rate, channels, frames and encoding of a WAV file, without decoding it. Same errors as <see cref="Load"/>.</summary>
    public static WavInfo ReadInfo(string path) => WavFile.ReadInfo(path);

    /// <summary>
    /// Writes the clip as a WAV file atomically (temporary file + rename; see <see cref="AtomicFile"/>), creating the
    /// directory. A clip containing NaN or infinity is refused and nothing is written.
    /// </summary>
    public void Save(string path, WavEncoding encoding = WavEncoding.Float32)
    {
        if (FindNonFinite() is { } bad)
            throw new SmitinException($"{path}: refusing to write audio with a NaN or infinite sample (channel {bad.Channel}, frame {bad.Frame})");
        AtomicFile.Write(path, s => WavFile.Write(s, this, encoding));
    }

    /// <summary>The clip as a complete WAV file in memory, e.g. for a notebook &lt;audio&gt; element. Default 16-bit PCM (half the size).</summary>
    public byte[] ToWavBytes(WavEncoding encoding = WavEncoding.Pcm16)
    {
        using var ms = new MemoryStream();
        WavFile.Write(ms, this, encoding);
        return ms.ToArray();
    }
}
