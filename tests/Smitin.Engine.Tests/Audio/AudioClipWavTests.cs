using NAudio.Wave;
using Smitin.Audio;

namespace Smitin.Tests.Audio;

public class AudioClipWavTests
{
    static AudioClip Stereo(int frames = 800, int rate = 16000) =>
        new([TestSignals.Sine(440, (double)frames / rate, rate), TestSignals.Noise(frames, 7)], rate);

    static void WriteRaw(string path, WaveFormat format, byte[] data)
    {
        using var w = new WaveFileWriter(path, format);
        w.Write(data, 0, data.Length);
    }

    [Fact]
    public void Float32_round_trip_is_exact_and_keeps_channel_order()
    {
        using var dir = new TempDir();
        var clip = Stereo();
        clip.Save(dir["a.wav"]);
        var back = AudioClip.Load(dir["a.wav"]);
        Assert.Equal(16000, back.SampleRate);
        Assert.Equal(2, back.Channels);
        Assert.Equal(clip.Samples[0], back.Samples[0]);
        Assert.Equal(clip.Samples[1], back.Samples[1]);
        Assert.Equal("float32", AudioClip.ReadInfo(dir["a.wav"]).Encoding);
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp"));
    }

    [Fact]
    public void Pcm16_round_trip_is_within_one_step_and_clamps()
    {
        using var dir = new TempDir();
        var x = TestSignals.Sine(300, 0.05, 16000, amp: 0.9f);
        x[3] = 1.7f; x[4] = -3f;
        AudioClip.Mono(x, 16000).Save(dir["p.wav"], WavEncoding.Pcm16);
        var back = AudioClip.Load(dir["p.wav"]);
        Assert.Equal("pcm16", AudioClip.ReadInfo(dir["p.wav"]).Encoding);
        Assert.Equal(32767 / 32768f, back.Samples[0][3]);
        Assert.Equal(-1f, back.Samples[0][4]);
        for (int i = 5; i < x.Length; i++) Assert.InRange(back.Samples[0][i] - x[i], -1.53e-5f, 1.53e-5f); // half a step
    }

    [Theory]
    [InlineData(8)]
    [InlineData(24)]
    [InlineData(32)]
    public void Reads_other_pcm_widths(int bits)
    {
        using var dir = new TempDir();
        // Known values: +0.5, -0.25, 0 in each width (little-endian, 8-bit is unsigned with offset 128).
        double[] values = [0.5, -0.25, 0];
        var bytes = new List<byte>();
        foreach (var v in values)
        {
            long q = (long)(v * (1L << (bits - 1)));
            if (bits == 8) bytes.Add((byte)(q + 128));
            else for (int b = 0; b < bits / 8; b++) bytes.Add((byte)(q >> (8 * b)));
        }
        WriteRaw(dir["w.wav"], new WaveFormat(22050, bits, 1), bytes.ToArray());
        var clip = AudioClip.Load(dir["w.wav"]);
        Assert.Equal(new[] { 0.5f, -0.25f, 0f }, clip.Samples[0]);
        Assert.Equal(22050, clip.SampleRate);
    }

    [Fact]
    public void Reads_wave_format_extensible_float()
    {
        using var dir = new TempDir();
        var fmt = new WaveFormatExtensible(32000, 32, 2);
        Assert.Equal(new Guid("00000003-0000-0010-8000-00aa00389b71"), fmt.SubFormat);
        var data = new byte[4 * 4];
        BitConverter.GetBytes(0.25f).CopyTo(data, 0);   // L0
        BitConverter.GetBytes(-0.5f).CopyTo(data, 4);   // R0
        BitConverter.GetBytes(0.75f).CopyTo(data, 8);   // L1
        BitConverter.GetBytes(0.125f).CopyTo(data, 12); // R1
        WriteRaw(dir["x.wav"], fmt, data);
        var clip = AudioClip.Load(dir["x.wav"]);
        Assert.Equal(new[] { 0.25f, 0.75f }, clip.Samples[0]);
        Assert.Equal(new[] { -0.5f, 0.125f }, clip.Samples[1]);
    }

    [Fact]
    public void Wav_bytes_round_trip_in_memory()
    {
        var clip = Stereo(400);
        var back = AudioClip.FromWavBytes(clip.ToWavBytes(WavEncoding.Float32));
        Assert.Equal(clip.Samples[1], back.Samples[1]);
        var pcm = clip.ToWavBytes();
        Assert.Equal(44 + 400 * 2 * 2, pcm.Length);
        Assert.Equal("RIFF", System.Text.Encoding.ASCII.GetString(pcm, 0, 4));
    }

    [Fact]
    public void Missing_file_is_a_named_error()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<SmitinException>(() => AudioClip.Load(dir["nope.wav"]));
        Assert.Contains("nope.wav", e.Message);
        Assert.Contains("not found", e.Message);
    }

    [Fact]
    public void Zero_length_file_is_a_named_error()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir["empty.wav"], []);
        var e = Assert.Throws<SmitinException>(() => AudioClip.Load(dir["empty.wav"]));
        Assert.Contains("empty.wav", e.Message);
        Assert.Contains("0 bytes", e.Message);
    }

    [Fact]
    public void Corrupt_file_is_a_named_error()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir["junk.wav"], System.Text.Encoding.ASCII.GetBytes("this is not a wave file at all, just text"));
        var e = Assert.Throws<SmitinException>(() => AudioClip.Load(dir["junk.wav"]));
        Assert.Contains("junk.wav", e.Message);
        Assert.Contains("RIFF/WAVE", e.Message);
    }

    [Fact]
    public void Truncated_file_is_a_named_error()
    {
        using var dir = new TempDir();
        Stereo(1000).Save(dir["t.wav"]);
        var bytes = File.ReadAllBytes(dir["t.wav"]);
        File.WriteAllBytes(dir["t.wav"], bytes[..(bytes.Length / 2)]);
        var e = Assert.Throws<SmitinException>(() => AudioClip.Load(dir["t.wav"]));
        Assert.Contains("t.wav", e.Message);
        Assert.Contains("truncated", e.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Throws<SmitinException>(() => AudioClip.ReadInfo(dir["t.wav"]));
    }

    [Fact]
    public void Header_cut_inside_the_format_chunk_is_a_named_error()
    {
        using var dir = new TempDir();
        Stereo(100).Save(dir["h.wav"]);
        File.WriteAllBytes(dir["h.wav"], File.ReadAllBytes(dir["h.wav"])[..20]);
        var e = Assert.Throws<SmitinException>(() => AudioClip.Load(dir["h.wav"]));
        Assert.Contains("h.wav", e.Message);
    }

    [Fact]
    public void Unsupported_encoding_is_a_named_error()
    {
        using var dir = new TempDir();
        WriteRaw(dir["mulaw.wav"], WaveFormat.CreateMuLawFormat(8000, 1), new byte[100]);
        var e = Assert.Throws<SmitinException>(() => AudioClip.Load(dir["mulaw.wav"]));
        Assert.Contains("mulaw.wav", e.Message);
        Assert.Contains("unsupported encoding", e.Message);
    }

    [Fact]
    public void More_than_two_channels_is_a_named_error()
    {
        using var dir = new TempDir();
        WriteRaw(dir["six.wav"], WaveFormat.CreateIeeeFloatWaveFormat(48000, 6), new byte[6 * 4 * 10]);
        var e = Assert.Throws<SmitinException>(() => AudioClip.Load(dir["six.wav"]));
        Assert.Contains("6 channels", e.Message);
    }

    [Fact]
    public void File_without_samples_is_a_named_error()
    {
        using var dir = new TempDir();
        WriteRaw(dir["none.wav"], new WaveFormat(16000, 16, 1), []);
        var e = Assert.Throws<SmitinException>(() => AudioClip.Load(dir["none.wav"]));
        Assert.Contains("none.wav", e.Message);
        Assert.Contains("0 frames", e.Message);
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public void Non_finite_samples_are_a_named_error(float bad)
    {
        using var dir = new TempDir();
        var data = new byte[4 * 8];
        BitConverter.GetBytes(bad).CopyTo(data, 4 * 5);
        WriteRaw(dir["nan.wav"], WaveFormat.CreateIeeeFloatWaveFormat(16000, 1), data);
        var e = Assert.Throws<SmitinException>(() => AudioClip.Load(dir["nan.wav"]));
        Assert.Contains("nan.wav", e.Message);
        Assert.Contains("sample 5", e.Message);
    }

    [Fact]
    public void Saving_non_finite_audio_is_refused_and_writes_nothing()
    {
        using var dir = new TempDir();
        var x = new float[10]; x[2] = float.NaN;
        Assert.Throws<SmitinException>(() => AudioClip.Mono(x, 8000).Save(dir["out.wav"]));
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void The_unsupported_encoding_error_lists_exactly_the_accepted_encodings()
    {
        using var dir = new TempDir();
        WriteRaw(dir["f64.wav"], WaveFormat.CreateIeeeFloatWaveFormat(8000, 1), new byte[16]);
        using (var fs = new FileStream(dir["f64.wav"], FileMode.Open))                  // patch to 64-bit float (accepted)
        {
            fs.Seek(32, SeekOrigin.Begin); fs.Write(BitConverter.GetBytes((short)8));    // block align
            fs.Seek(34, SeekOrigin.Begin); fs.Write(BitConverter.GetBytes((short)64));   // bits per sample
            fs.Seek(28, SeekOrigin.Begin); fs.Write(BitConverter.GetBytes(8000 * 8));   // byte rate
        }
        Assert.Equal("float64", AudioClip.ReadInfo(dir["f64.wav"]).Encoding);
        Assert.Equal(2, AudioClip.Load(dir["f64.wav"]).Samples[0].Length);
        WriteRaw(dir["p8.wav"], new WaveFormat(8000, 8, 1), [128, 192]);
        Assert.Equal("pcm8", AudioClip.ReadInfo(dir["p8.wav"]).Encoding);

        WriteRaw(dir["f16.wav"], WaveFormat.CreateIeeeFloatWaveFormat(8000, 1), new byte[16]);
        using (var fs = new FileStream(dir["f16.wav"], FileMode.Open))                  // 16-bit float: not accepted
        {
            fs.Seek(32, SeekOrigin.Begin); fs.Write(BitConverter.GetBytes((short)2));
            fs.Seek(34, SeekOrigin.Begin); fs.Write(BitConverter.GetBytes((short)16));
        }
        var e = Assert.Throws<SmitinException>(() => AudioClip.Load(dir["f16.wav"]));
        Assert.Contains("PCM 8/16/24/32-bit or 32/64-bit float samples", e.Message);     // was "PCM 16/24/32-bit or 32-bit float"
    }
}
