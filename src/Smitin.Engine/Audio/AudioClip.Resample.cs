using NAudio.Wave;
using NAudio.Wave.SampleProviders;

namespace Smitin.Audio;

// Sample-rate conversion with NAudio's WDL resampler (pure managed windowed-sinc).
public sealed partial class AudioClip
{
    /// <summary>
    /// Converts to <paramref name="sampleRate"/> with NAudio's <see cref="WdlResamplingSampleProvider"/>. The result has
    /// exactly round(Frames · new / old) frames, so the duration is kept; pitch is kept. The same rate returns a copy.
    /// </summary>
    public AudioClip Resample(int sampleRate)
    {
        if (sampleRate <= 0) throw new ArgumentException($"sample rate must be positive, got {sampleRate}", nameof(sampleRate));
        if (sampleRate == SampleRate) return Clone();
        int outFrames = (int)Math.Round((double)Frames * sampleRate / SampleRate);
        var source = new InterleavedProvider(ToInterleaved(), SampleRate, Channels);
        var resampler = new WdlResamplingSampleProvider(source, sampleRate);
        var output = new float[outFrames * Channels];
        int filled = 0;
        while (filled < output.Length)
        {
            int n = resampler.Read(output.AsSpan(filled));
            if (n <= 0) break;
            filled += n;
        }
        // The remainder (if the resampler ended early) stays zero.
        return FromInterleaved(output, Channels, sampleRate);
    }

    /// <summary>Feeds interleaved floats to NAudio, then silence so the resampler can flush its filter tail.</summary>
    sealed class InterleavedProvider(float[] data, int sampleRate, int channels) : ISampleProvider
    {
        int _pos;
        int _tail = sampleRate * channels; // up to 1 s of zeros after the end: more than any filter latency
        public WaveFormat WaveFormat { get; } = WaveFormat.CreateIeeeFloatWaveFormat(sampleRate, channels);

        public int Read(Span<float> buffer)
        {
            int n = Math.Min(buffer.Length, data.Length - _pos);
            data.AsSpan(_pos, n).CopyTo(buffer);
            _pos += n;
            int z = Math.Min(buffer.Length - n, _tail);
            z -= z % channels;
            buffer.Slice(n, z).Clear();
            _tail -= z;
            return n + z;
        }
    }
}
