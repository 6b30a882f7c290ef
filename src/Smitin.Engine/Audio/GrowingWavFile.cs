using System.Buffers.Binary;
using NAudio.Wave;

namespace Smitin.Audio;

/// <summary>
/// A WAV file that grows while audio is generated and is a valid, playable WAV at every moment: the header (RIFF
/// size, data size, and for float the <c>fact</c> frame count) always describes only samples already written.
/// The empty file with its header appears atomically (written aside, then renamed over <see cref="Path"/>); each
/// <see cref="Append"/> writes and flushes the samples first and then rewrites the sizes, so a reader that opens the
/// file at any moment sees whole frames (NAudio stops at the declared sizes). Samples are clipped to [-1, 1] for PCM16
/// as <see cref="AudioClip.Save"/> does; NaN or infinite samples are refused.
/// </summary>
public sealed class GrowingWavFile : IDisposable
{
    readonly FileStream _stream;
    readonly WavEncoding _encoding;
    readonly int _bytesPerSample;
    readonly long _riffSizeAt, _dataSizeAt, _factAt, _dataStart;
    long _frames;

    /// <summary>The WAV file being written.</summary>
    public string Path { get; }
    /// <summary>Sample rate in Hz.</summary>
    public int SampleRate { get; }
    /// <summary>Channels.</summary>
    public int Channels { get; }
    /// <summary>Frames (samples per channel) written so far.</summary>
    public long Frames => _frames;

    /// <exception cref="SmitinException">bad rate or channel count, or the file cannot be created</exception>
    public GrowingWavFile(string path, int sampleRate, int channels, WavEncoding encoding = WavEncoding.Float32)
    {
        if (sampleRate <= 0) throw new SmitinException($"{path}: sample rate must be > 0, got {sampleRate}");
        if (channels is < 1 or > 2) throw new SmitinException($"{path}: {channels} channels; expected mono or stereo");
        Path = System.IO.Path.GetFullPath(path); SampleRate = sampleRate; Channels = channels; _encoding = encoding;
        var format = encoding switch
        {
            WavEncoding.Float32 => WaveFormat.CreateIeeeFloatWaveFormat(sampleRate, channels),
            WavEncoding.Pcm16 => new WaveFormat(sampleRate, 16, channels),
            _ => throw new ArgumentOutOfRangeException(nameof(encoding), encoding, "expected Float32 or Pcm16"),
        };
        _bytesPerSample = format.BitsPerSample / 8;

        var header = new MemoryStream();
        var w = new BinaryWriter(header);
        w.Write("RIFF"u8); _riffSizeAt = header.Position; w.Write(0u); w.Write("WAVE"u8);
        w.Write("fmt "u8);
        format.Serialize(w);                                                   // size (18 + extra), then the format
        long factAt = -1;
        if (encoding == WavEncoding.Float32) { w.Write("fact"u8); w.Write(4u); factAt = header.Position; w.Write(0u); }
        w.Write("data"u8); _dataSizeAt = header.Position; w.Write(0u);
        _dataStart = header.Position;
        _factAt = factAt;
        w.Flush();
        var bytes = header.ToArray();
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan((int)_riffSizeAt), (uint)(bytes.Length - 8));

        string dir = System.IO.Path.GetDirectoryName(Path)!;
        try
        {
            Directory.CreateDirectory(dir);
            string temp = System.IO.Path.Combine(dir, $".{System.IO.Path.GetFileName(Path)}.{Guid.NewGuid():N}.tmp");
            File.WriteAllBytes(temp, bytes);
            File.Move(temp, Path, overwrite: true);                                 // the empty WAV appears whole
            _stream = new FileStream(Path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SmitinException($"{Path}: cannot create the WAV file ({e.Message})", e);
        }
    }

    /// <summary>Appends planar samples (one array per channel, equal lengths) and updates the header.</summary>
    /// <exception cref="SmitinException">wrong channel count, unequal lengths, NaN or infinite samples</exception>
    public void Append(float[][] samples)
    {
        if (samples.Length != Channels) throw new SmitinException($"{Path}: got {samples.Length} channels, the file has {Channels}");
        int n = samples[0].Length;
        if (samples.Any(s => s.Length != n)) throw new SmitinException($"{Path}: channels of unequal length");
        if (n == 0) return;
        var data = new byte[(long)n * Channels * _bytesPerSample];
        for (int i = 0; i < n; i++)
            for (int c = 0; c < Channels; c++)
            {
                float v = samples[c][i];
                if (!float.IsFinite(v)) throw new SmitinException($"{Path}: refusing to write a NaN or infinite sample (channel {c}, frame {_frames + i})");
                int at = (i * Channels + c) * _bytesPerSample;
                if (_encoding == WavEncoding.Float32) BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(at), v);
                else BinaryPrimitives.WriteInt16LittleEndian(data.AsSpan(at), (short)Math.Clamp(Math.Round(v * 32768.0), short.MinValue, short.MaxValue));
            }
        _stream.Position = _dataStart + _frames * Channels * _bytesPerSample;
        _stream.Write(data);
        _stream.Flush();                                                          // samples first ...
        _frames += n;
        long dataBytes = _frames * Channels * _bytesPerSample;
        if (dataBytes > uint.MaxValue - _dataStart) throw new SmitinException($"{Path}: more than 4 GiB of audio does not fit a WAV file");
        var u32 = new byte[4];
        void Put(long at, long value)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(u32, (uint)value);
            _stream.Position = at;
            _stream.Write(u32);
        }
        Put(_dataSizeAt, dataBytes);                                              // ... then the sizes that admit them
        if (_factAt >= 0) Put(_factAt, _frames);
        Put(_riffSizeAt, _dataStart - 8 + dataBytes);
        _stream.Flush();
    }

    /// <summary>Closes the file (its header already describes every frame written).</summary>
    public void Dispose() => _stream.Dispose();
}
