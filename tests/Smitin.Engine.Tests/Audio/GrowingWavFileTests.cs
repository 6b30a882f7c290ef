using NAudio.Wave;
using Smitin.Audio;
using Smitin.Generation;
using TorchSharp;
using static TorchSharp.torch;

namespace Smitin.Tests.Audio;

/// <summary>A WAV that grows during generation is readable by NAudio at every moment, and ends as the whole piece.</summary>
public sealed class GrowingWavFileTests : IDisposable
{
    readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    /// <summary>Opens the file as a player would (shared with the writer) and reads every sample NAudio admits.</summary>
    static float[] ReadWithNAudio(string path, out WaveFormat format)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new WaveFileReader(stream);
        format = reader.WaveFormat;
        var provider = reader.ToSampleProvider();
        var all = new List<float>();
        var buffer = new float[4096];
        int n;
        while ((n = provider.Read(buffer.AsSpan())) > 0) all.AddRange(buffer.AsSpan(0, n).ToArray());
        return all.ToArray();
    }

    [Theory]
    [InlineData(WavEncoding.Float32)]
    [InlineData(WavEncoding.Pcm16)]
    public void NAudioReadsTheGrowingFileAtThreeMomentsDuringGeneration(WavEncoding encoding)
    {
        var model = TinyModel.Shared;
        string path = _dir.File($"grow-{encoding}.wav");
        using var wav = new GrowingWavFile(path, model.SampleRate, model.AudioChannels, encoding);
        Assert.Empty(ReadWithNAudio(path, out _));                                              // valid before the first chunk
        var reads = new List<(long Expected, int Read)>();
        var written = new List<float>();
        using var result = model.GenerateStreaming(["rock"], new GenerationOptions { DurationSeconds = 3, MaxDurationSeconds = 1, Seed = 2, TopK = 16 }, chunk =>
        {
            using (chunk)
            {
                var samples = chunk.Audio[0][0].data<float>().ToArray();
                wav.Append([samples]);
                written.AddRange(samples);
                if (!chunk.IsLast && reads.Count < 3)                                           // while generation runs
                {
                    var read = ReadWithNAudio(path, out var format);
                    Assert.Equal((model.SampleRate, 1), (format.SampleRate, format.Channels));
                    reads.Add((wav.Frames, read.Length));
                    AssertSame(written, read, encoding);
                }
            }
        }, new StreamingOptions { PlaySteps = 20 });
        Assert.Equal(3, reads.Count);
        Assert.True(reads[0].Read < reads[1].Read && reads[1].Read < reads[2].Read, "three different lengths");
        Assert.All(reads, r => Assert.Equal(r.Expected, r.Read));
        var final = ReadWithNAudio(path, out _);
        Assert.Equal(result.Audio!.shape[2], final.Length);
        AssertSame(written, final, encoding);
        var clip = AudioClip.Load(path);                                                         // the project's strict reader too
        Assert.Equal(final.Length, clip.Frames);
    }

    static void AssertSame(List<float> written, float[] read, WavEncoding encoding)
    {
        double tol = encoding == WavEncoding.Pcm16 ? 1.0 / 32768 + 1e-7 : 0;
        for (int i = 0; i < read.Length; i++)
        {
            double expected = encoding == WavEncoding.Pcm16 ? Math.Clamp(written[i], -1, 32767.0 / 32768) : written[i];
            Assert.True(Math.Abs(read[i] - expected) <= tol, $"sample {i}: read {read[i]}, written {written[i]}");
        }
    }

    [Fact]
    public void BadSamplesAreRefusedAndTheFileStaysValid()
    {
        string path = _dir.File("bad.wav");
        using var wav = new GrowingWavFile(path, 16000, 1);
        wav.Append([[0.1f, 0.2f]]);
        var e = Assert.Throws<SmitinException>(() => wav.Append([[0.3f, float.NaN]]));
        Assert.Contains("NaN", e.Message);
        Assert.Throws<SmitinException>(() => wav.Append([[0f], [0f]]));
        Assert.Equal([0.1f, 0.2f], ReadWithNAudio(path, out _));
    }
}
