using Smitin.Cli;
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

    string WriteTestSignal()
    {
        using var x = _ref.Read("encodec.input_values");                 // (1, 1, 32000) at 32 kHz
        string wav = _dir.File("signal.wav");
        CliWav.Write(wav, [x[0, 0].data<float>().ToArray()], 32000, pcm16: false);
        return wav;
    }

    [Fact]
    public async Task Encode_gives_the_reference_codes()
    {
        string wav = WriteTestSignal(), codes = _dir.File("codes.json");
        Assert.Equal(0, await CliHost.Run("encode", "--model", Fixture.Model(), wav, "--codes-out", codes));
        using var got = CodesJson.Read(codes);
        using var expected = _ref.Read("encodec.audio_codes");           // (1, 1, 4, 50)
        TensorAssert.Equal(expected[0], got, "smitin encode codes");
    }

    [Fact]
    public async Task Decode_gives_the_reference_audio()
    {
        string codes = _dir.File("codes.json"), wav = _dir.File("out.wav");
        using (var c = _ref.Read("encodec.audio_codes")) CodesJson.Write(codes, c[0]);
        Assert.Equal(0, await CliHost.Run("decode", "--model", Fixture.Model(), codes, "--out", wav));
        var audio = CliWav.Read(wav, 32000, 1, out string description);
        Assert.Contains("IeeeFloat", description);
        using var expected = _ref.Read("encodec.audio_values");          // (1, 1, 32000)
        using var got = torch.tensor(audio[0]).reshape(1, 1, -1);
        TensorAssert.Close(expected, got, what: "smitin decode audio");
    }

    [Fact]
    public async Task Unreadable_wav_fails_without_output()
    {
        string wav = _dir.File("corrupt.wav"), codes = _dir.File("codes.json");
        File.WriteAllBytes(wav, [(byte)'R', (byte)'I', (byte)'F', (byte)'F', 1, 2, 3]);
        Assert.Equal(1, await CliHost.Run("encode", "--model", Fixture.Model(), wav, "--codes-out", codes));
        Assert.False(File.Exists(codes));
    }

    [Theory]
    [InlineData("{\"shape\":[1,4,2],\"codes\":[[[0,1],[2,3],[4,5],[6,64]]]}")]     // code out of range [0, 64)
    [InlineData("{\"shape\":[1,3,2],\"codes\":[[[0,1],[2,3],[4,5]]]}")]              // K = 3, the model has 4 codebooks
    [InlineData("{\"shape\":[1,4,2],\"codes\":[[[0,1],[2,3],[4,5]]]}")]              // rows do not match shape
    public async Task Malformed_codes_fail_without_output(string json)
    {
        string codes = _dir.File("codes.json"), wav = _dir.File("out.wav");
        File.WriteAllText(codes, json);
        Assert.Equal(1, await CliHost.Run("decode", "--model", Fixture.Model(), codes, "--out", wav));
        Assert.False(File.Exists(wav));
    }
}
