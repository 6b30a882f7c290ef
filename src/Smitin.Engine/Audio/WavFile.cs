using System.Buffers.Binary;
using System.Runtime.InteropServices;
using NAudio.Utils;
using NAudio.Wave;

namespace Smitin.Audio;

/// <summary>What a WAV header says, read without decoding the samples.</summary>
/// <param name="Encoding">"pcm16", "pcm24", "pcm32", "pcm8", "float32" or "float64".</param>
/// <param name="Path">The file.</param>
/// <param name="Frames">Samples per channel.</param>
/// <param name="Channels">Channels.</param>
/// <param name="SampleRate">Sample rate in Hz.</param>
public sealed record WavInfo(string Path, int SampleRate, int Channels, long Frames, string Encoding)
{
    /// <summary>Length in seconds.</summary>
    public double DurationSeconds => (double)Frames / SampleRate;
}

/// <summary>
/// WAV reading and writing on top of NAudio's RIFF parser. Accepted: PCM 8/16/24/32-bit and IEEE float
/// 32/64-bit (also inside WAVE_FORMAT_EXTENSIBLE), mono or stereo. Everything else, and every damaged file,
/// is a <see cref="SmitinException"/> that names the file and says what was expected.
/// </summary>
static class WavFile
{
    const string Expected = "expected a RIFF/WAVE file with PCM 8/16/24/32-bit or 32/64-bit float samples, mono or stereo";
    static readonly Guid SubtypePcm = new("00000001-0000-0010-8000-00aa00389b71");
    static readonly Guid SubtypeFloat = new("00000003-0000-0010-8000-00aa00389b71");

    public static WavInfo ReadInfo(string path)
    {
        using var stream = OpenFile(path);
        using var reader = Parse(stream, path);
        var (encoding, bits, channels) = Classify(reader.WaveFormat, path);
        CheckComplete(reader, stream, path);
        long frames = reader.Length / (bits / 8 * channels);
        return new WavInfo(path, reader.WaveFormat.SampleRate, channels, frames, encoding);
    }

    public static AudioClip Read(string path)
    {
        using var stream = OpenFile(path);
        return Read(stream, path);
    }

    /// <summary>Decodes a whole WAV from a seekable stream; <paramref name="name"/> is used in error messages.</summary>
    public static AudioClip Read(Stream stream, string name)
    {
        if (stream.Length == 0) throw new SmitinException($"{name}: the file is empty (0 bytes); {Expected}");
        using var reader = Parse(stream, name);
        var (encoding, bits, channels) = Classify(reader.WaveFormat, name);
        CheckComplete(reader, stream, name);
        int bytesPerSample = bits / 8;
        long declared = reader.Length;
        if (declared > Array.MaxLength)
            throw new SmitinException($"{name}: {declared} bytes of audio is too large to load at once");
        var data = new byte[declared];
        int got = 0;
        while (got < data.Length)
        {
            int n = reader.Read(data, got, data.Length - got);
            if (n <= 0) break;
            got += n;
        }
        if (got < data.Length)
            throw new SmitinException($"{name}: truncated WAV: the data chunk declares {declared} bytes but only {got} are present; {Expected}");
        int frames = (int)(declared / (bytesPerSample * channels));
        if (frames == 0) throw new SmitinException($"{name}: the WAV file holds no samples (0 frames); expected audio");

        var s = new float[channels][];
        for (int c = 0; c < channels; c++) s[c] = new float[frames];
        Decode(data, encoding, channels, frames, s);
        var clip = new AudioClip(s, reader.WaveFormat.SampleRate);
        if (clip.FindNonFinite() is { } bad)
            throw new SmitinException($"{name}: sample {bad.Frame} of channel {bad.Channel} (t = {(double)bad.Frame / clip.SampleRate:F3} s) is NaN or infinite; expected finite samples");
        return clip;
    }

    public static void Write(Stream stream, AudioClip clip, WavEncoding encoding)
    {
        if (clip.FindNonFinite() is { } bad)
            throw new SmitinException($"refusing to write audio with a NaN or infinite sample (channel {bad.Channel}, frame {bad.Frame})");
        var format = encoding switch
        {
            WavEncoding.Float32 => WaveFormat.CreateIeeeFloatWaveFormat(clip.SampleRate, clip.Channels),
            WavEncoding.Pcm16 => new WaveFormat(clip.SampleRate, 16, clip.Channels),
            _ => throw new ArgumentOutOfRangeException(nameof(encoding), encoding, "expected Float32 or Pcm16"),
        };
        float[] inter = clip.ToInterleaved();
        using var writer = new WaveFileWriter(new IgnoreDisposeStream(stream), format);
        if (encoding == WavEncoding.Float32)
        {
            writer.WriteSamples(inter, 0, inter.Length);
        }
        else
        {
            // NAudio's float → 16-bit path does not clamp (overflow wraps), so convert here. Scale 32768 (the
            // inverse of reading), round to nearest, clamp to [-32768, 32767].
            var pcm = new short[inter.Length];
            for (int i = 0; i < inter.Length; i++)
                pcm[i] = (short)Math.Clamp(Math.Round(inter[i] * 32768.0), short.MinValue, short.MaxValue);
            writer.WriteSamples(pcm, 0, pcm.Length);
        }
    }

    static FileStream OpenFile(string path)
    {
        var fi = new FileInfo(path);
        if (!fi.Exists)
            throw new SmitinException(Directory.Exists(path) ? $"{path}: is a directory; expected a WAV file" : $"{path}: audio file not found");
        if (fi.Length == 0) throw new SmitinException($"{path}: the file is empty (0 bytes); {Expected}");
        return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
    }

    /// <summary>NAudio's RIFF parser; it leaves the stream at the first byte of the data chunk.</summary>
    static WaveFileReader Parse(Stream stream, string name)
    {
        try
        {
            return new WaveFileReader(new IgnoreDisposeStream(stream));
        }
        catch (Exception e) when (e is FormatException or InvalidDataException or EndOfStreamException or ArgumentException or IOException or OverflowException)
        {
            throw new SmitinException($"{name}: not a readable WAV file ({e.Message}); {Expected}", e);
        }
    }

    /// <summary>
    /// The data chunk must be complete. NAudio silently shortens a data chunk that runs past the end of the file,
    /// so the declared size is read from the chunk header (the 8 bytes before the data: "data" + uint32 size).
    /// </summary>
    static void CheckComplete(WaveFileReader reader, Stream stream, string name)
    {
        long dataStart = stream.Position;
        long available = stream.Length - dataStart;
        long declared = reader.Length;
        if (dataStart >= 8)
        {
            Span<byte> header = stackalloc byte[8];
            stream.Position = dataStart - 8;
            stream.ReadExactly(header);
            stream.Position = dataStart;
            uint size = BinaryPrimitives.ReadUInt32LittleEndian(header[4..]);
            // 0xFFFFFFFF marks RF64 or an unfinished stream; leave those to NAudio's own length.
            if (header[..4].SequenceEqual("data"u8) && size != uint.MaxValue) declared = Math.Max(declared, size);
        }
        if (declared > available)
            throw new SmitinException($"{name}: truncated WAV: the data chunk declares {declared} bytes but only {Math.Max(0, available)} are present; {Expected}");
        if (reader.Length % reader.WaveFormat.BlockAlign != 0)
            throw new SmitinException($"{name}: the data chunk ({reader.Length} bytes) is not a whole number of {reader.WaveFormat.BlockAlign}-byte frames; {Expected}");
    }

    static (string Encoding, int Bits, int Channels) Classify(WaveFormat f, string path)
    {
        if (f.Channels is < 1 or > 2)
            throw new SmitinException($"{path}: {f.Channels} channels is not supported; {Expected}");
        if (f.SampleRate <= 0)
            throw new SmitinException($"{path}: sample rate {f.SampleRate} is invalid; {Expected}");
        var enc = f.Encoding;
        if (enc == WaveFormatEncoding.Extensible)
        {
            Guid sub = ExtensibleSubFormat(f)
                ?? throw new SmitinException($"{path}: WAVE_FORMAT_EXTENSIBLE header without a sub-format; {Expected}");
            enc = sub == SubtypePcm ? WaveFormatEncoding.Pcm
                : sub == SubtypeFloat ? WaveFormatEncoding.IeeeFloat
                : throw new SmitinException($"{path}: unsupported WAVE_FORMAT_EXTENSIBLE sub-format {sub}; {Expected}");
        }
        string? name = (enc, f.BitsPerSample) switch
        {
            (WaveFormatEncoding.Pcm, 8) => "pcm8",
            (WaveFormatEncoding.Pcm, 16) => "pcm16",
            (WaveFormatEncoding.Pcm, 24) => "pcm24",
            (WaveFormatEncoding.Pcm, 32) => "pcm32",
            (WaveFormatEncoding.IeeeFloat, 32) => "float32",
            (WaveFormatEncoding.IeeeFloat, 64) => "float64",
            _ => null,
        };
        if (name is null)
            throw new SmitinException($"{path}: unsupported encoding {f.Encoding} with {f.BitsPerSample} bits per sample; {Expected}");
        if (f.BlockAlign != f.BitsPerSample / 8 * f.Channels)
            throw new SmitinException($"{path}: block align {f.BlockAlign} does not match {f.Channels} channels of {f.BitsPerSample} bits; {Expected}");
        return (name, f.BitsPerSample, f.Channels);
    }

    /// <summary>The sub-format GUID: NAudio returns the extension either typed or as raw extra bytes.</summary>
    static Guid? ExtensibleSubFormat(WaveFormat f)
    {
        if (f is WaveFormatExtensible ext) return ext.SubFormat;
        // cbSize extension: wValidBitsPerSample (2), dwChannelMask (4), SubFormat GUID (16).
        if (f is WaveFormatExtraData extra && extra.ExtraData.Length >= 22) return new Guid(extra.ExtraData.AsSpan(6, 16));
        return null;
    }

    /// <summary>Interleaved little-endian samples → planar floats; one loop per encoding.</summary>
    static void Decode(byte[] d, string encoding, int channels, int frames, float[][] s)
    {
        int n = frames * channels;
        switch (encoding)
        {
            case "pcm8":
                for (int i = 0; i < n; i++) s[i % channels][i / channels] = (d[i] - 128) / 128f;
                break;
            case "pcm16":
                var p16 = MemoryMarshal.Cast<byte, short>(d.AsSpan(0, n * 2));
                for (int i = 0; i < n; i++) s[i % channels][i / channels] = LittleEndian(p16[i]) / 32768f;
                break;
            case "pcm24":
                for (int i = 0, j = 0; i < n; i++, j += 3)
                    s[i % channels][i / channels] = (d[j] | (d[j + 1] << 8) | ((sbyte)d[j + 2] << 16)) / 8388608f;
                break;
            case "pcm32":
                for (int i = 0; i < n; i++) s[i % channels][i / channels] = (float)(BinaryPrimitives.ReadInt32LittleEndian(d.AsSpan(4 * i)) / 2147483648.0);
                break;
            case "float32":
                for (int i = 0; i < n; i++) s[i % channels][i / channels] = BinaryPrimitives.ReadSingleLittleEndian(d.AsSpan(4 * i));
                break;
            case "float64":
                for (int i = 0; i < n; i++) s[i % channels][i / channels] = (float)BinaryPrimitives.ReadDoubleLittleEndian(d.AsSpan(8 * i));
                break;
        }
    }

    static short LittleEndian(short v) => BitConverter.IsLittleEndian ? v : BinaryPrimitives.ReverseEndianness(v);
}
