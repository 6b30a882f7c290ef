using Smitin.Audio;
using Smitin.IO;
using Smitin.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Smitin.Tests.Cli;

/// <summary>
/// <c>smitin encode</c> / <c>smitin decode</c> end to end on the fixture (through <c>MusicGen.Load</c>, as users run
/// them), plus their bad-input paths.
/// </summary>
public sealed class CodecCommandsTests : IDisposable
{
    readonly TempDir _dir = new();
    readonly SafeTensorsFile _ref;

    public CodecCommandsTests()
    {
        Native.TorchRuntime.Ensure();
        _ref = Fixture.Reference();
    }

    public void Dispose()
    {
        _ref.Dispose();
        _dir.Dispose();
    }

    /// <summary>The fixture's test signal as a float32 WAV at 32 kHz (optionally the same signal on both channels).</summary>
    string WriteTestSignal(int channels = 1)
    {
        using var x = _ref.Read("encodec.input_values");                 // (1, 1, 32000) at 32 kHz
        string wav = _dir.File($"signal-{channels}ch.wav");
        AudioClip.FromTensor(x, 32000).ToChannels(channels).Save(wav, WavEncoding.Float32);
        return wav;
    }

    async Task<Tensor> Encode(string wav)
    {
        string codes = _dir.File(Guid.NewGuid().ToString("N") + ".json");
        Assert.Equal(0, await CliHost.Run("encode", "--model", Fixture.Model(), wav, "--codes-out", codes));
        return CodesJson.Read(codes);
    }

    [Fact]
    public async Task Encode_gives_the_reference_codes()
    {
        using var got = await Encode(WriteTestSignal());
        using var expected = _ref.Read("encodec.audio_codes");           // (1, 1, 4, 50)
        TensorAssert.Equal(expected[0], got, "smitin encode codes");
    }

    [Fact]
    public async Task Encode_downmixes_a_stereo_wav_for_a_mono_model()
    {
        // both channels hold the test signal, so the mean is the signal itself (exactly) and the codes are the reference's
        using var got = await Encode(WriteTestSignal(channels: 2));
        using var expected = _ref.Read("encodec.audio_codes");
        TensorAssert.Equal(expected[0], got, "smitin encode codes (stereo WAV)");
    }

    [Fact]
    public async Task Decode_gives_the_reference_audio()
    {
        string codes = _dir.File("codes.json"), wav = _dir.File("out.wav");
        using (var c = _ref.Read("encodec.audio_codes")) CodesJson.Write(codes, c[0]);
        Assert.Equal(0, await CliHost.Run("decode", "--model", Fixture.Model(), codes, "--out", wav));
        Assert.Equal("float32", AudioClip.ReadInfo(wav).Encoding);
        var clip = AudioClip.Load(wav);
        Assert.Equal(32000, clip.SampleRate);
        using var expected = _ref.Read("encodec.audio_values");          // (1, 1, 32000)
        using var got = clip.ToTensor().unsqueeze(0);
        TensorAssert.Close(expected, got, what: "smitin decode audio");
    }

    [Fact]
    public async Task Decode_pcm16_writes_16_bit_samples()
    {
        string codes = _dir.File("codes.json"), wav = _dir.File("out16.wav");
        using (var c = _ref.Read("encodec.audio_codes")) CodesJson.Write(codes, c[0]);
        Assert.Equal(0, await CliHost.Run("decode", "--model", Fixture.Model(), codes, "--out", wav, "--pcm16"));
        Assert.Equal("pcm16", AudioClip.ReadInfo(wav).Encoding);
        using var expected = _ref.Read("encodec.audio_values").flatten().clamp(-1.0, 32767.0 / 32768);
        using var got = AudioClip.Load(wav).ToTensor().flatten();
        TensorAssert.Close(expected, got, atol: 1.0 / 32768 + 1e-4, rtol: 0, what: "smitin decode --pcm16 audio");
    }

    [Fact]
    public async Task Unreadable_wav_fails_without_output()
    {
        string wav = _dir.File("corrupt.wav"), codes = _dir.File("codes.json");
        File.WriteAllBytes(wav, [(byte)'R', (byte)'I', (byte)'F', (byte)'F', 1, 2, 3]);
        var (code, error) = await CliHost.RunCapturingErrors("encode", "--model", Fixture.Model(), wav, "--codes-out", codes);
        Assert.Equal(1, code);
        Assert.Contains($"{wav}: not a readable WAV file", error);
        Assert.False(File.Exists(codes));
        (code, error) = await CliHost.RunCapturingErrors("encode", "--model", Fixture.Model(), _dir.File("missing.wav"), "--codes-out", codes);
        Assert.Equal(1, code);
        Assert.Contains("missing.wav: audio file not found", error);
        Assert.False(File.Exists(codes));
    }

    [Theory]
    [InlineData("{\"shape\":[1,4,2],\"codes\":[[[0,1],[2,3],[4,5],[6,64]]]}", "codes[0][3][1] = 64 is out of range (expected 0..63)")]
    [InlineData("{\"shape\":[1,3,2],\"codes\":[[[0,1],[2,3],[4,5]]]}", "K = 3 codebooks, expected 4 for this model")]
    [InlineData("{\"shape\":[1,4,2],\"codes\":[[[0,1],[2,3],[4,5]]]}", "codes[0] has 3 entries, expected 4 from 'shape'")]
    [InlineData("{\"shape\":[1,4", "not valid JSON (expected {\"shape\":[B,K,T]")]                       // truncated file
    [InlineData("[[0,1]]", "top level is Array, expected an object")]
    [InlineData("{\"shape\":[1,4,1]}", "field 'codes' missing")]
    public async Task Malformed_codes_fail_without_output(string json, string expected)
    {
        string codes = _dir.File("codes.json"), wav = _dir.File("out.wav");
        File.WriteAllText(codes, json);
        var (code, error) = await CliHost.RunCapturingErrors("decode", "--model", Fixture.Model(), codes, "--out", wav);
        Assert.Equal(1, code);
        Assert.Contains(codes, error);
        Assert.Contains(expected, error);
        Assert.False(File.Exists(wav));
    }
}
