using NAudio.Wave;
using NAudio.Wave.SampleProviders;

namespace Smitin.Cli;

/// <summary>
/// Minimal WAV input/output for the codec commands (NAudio.Core). Stand-in until <c>Smitin.Audio.AudioClip</c>
/// lands; the commands only use <see cref="Read"/> and <see cref="Write"/>, so swapping is local.
/// Reading converts any PCM/IEEE-float WAV to float, matches the channel count (stereo → mono by averaging,
/// mono → stereo by duplication, as audiocraft's convert_audio does) and resamples to the model rate (WDL resampler).
/// </summary>
static class CliWav
{
    /// <summary>Reads <paramref name="path"/> as (channels, samples) float at <paramref name="sampleRate"/>.</summary>
    public static float[][] Read(string path, int sampleRate, int channels, out string description)
    {
        if (!File.Exists(path)) throw new SmitinException($"audio file not found: {path}");
        try
        {
            using var reader = new WaveFileReader(path);
            var format = reader.WaveFormat;
            description = $"{format.Channels} ch, {format.SampleRate} Hz, {format.BitsPerSample}-bit {format.Encoding}, {reader.TotalTime.TotalSeconds:F3} s";
            if (format.Channels is not (1 or 2))
                throw new SmitinException($"{path}: WAV has {format.Channels} channels, expected 1 or 2");
            ISampleProvider sp = reader.ToSampleProvider();
            if (sp.WaveFormat.Channels == 2 && channels == 1) sp = new StereoToMonoSampleProvider(sp) { LeftVolume = 0.5f, RightVolume = 0.5f };
            else if (sp.WaveFormat.Channels == 1 && channels == 2) sp = new MonoToStereoSampleProvider(sp) { LeftVolume = 1f, RightVolume = 1f };
            if (sp.WaveFormat.SampleRate != sampleRate) sp = new WdlResamplingSampleProvider(sp, sampleRate);

            var interleaved = new List<float>();
            var buffer = new float[16384 * channels];
            int n;
            while ((n = sp.Read(buffer.AsSpan())) > 0) interleaved.AddRange(buffer.AsSpan(0, n));
            int frames = interleaved.Count / channels;
            if (frames == 0) throw new SmitinException($"{path}: WAV has no samples");
            var result = new float[channels][];
            for (int c = 0; c < channels; c++)
            {
                result[c] = new float[frames];
                for (int i = 0; i < frames; i++) result[c][i] = interleaved[i * channels + c];
            }
            return result;
        }
        catch (Exception e) when (e is FormatException or InvalidDataException or EndOfStreamException or ArgumentException or NotSupportedException or InvalidOperationException)
        {
            throw new SmitinException($"{path}: unreadable WAV file ({e.Message}); expected a RIFF/WAVE file with PCM or IEEE-float samples", e);
        }
    }

    /// <summary>Writes (channels, samples) audio atomically: 32-bit IEEE float, or 16-bit PCM (clipped to [-1, 1]).</summary>
    public static void Write(string path, float[][] audio, int sampleRate, bool pcm16)
    {
        int channels = audio.Length, frames = audio[0].Length;
        var interleaved = new float[channels * frames];
        for (int c = 0; c < channels; c++)
            for (int i = 0; i < frames; i++)
                interleaved[i * channels + c] = pcm16 ? Math.Clamp(audio[c][i], -1f, 1f) : audio[c][i];
        var format = pcm16 ? new WaveFormat(sampleRate, 16, channels) : WaveFormat.CreateIeeeFloatWaveFormat(sampleRate, channels);
        AtomicFile.Write(path, stream =>
        {
            using var writer = new WaveFileWriter(stream, format); // NAudio 3 leaves a caller-supplied stream open
            writer.WriteSamples(interleaved, 0, interleaved.Length);
        });
    }
}
