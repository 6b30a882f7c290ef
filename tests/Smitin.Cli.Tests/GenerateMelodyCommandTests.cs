using System.Text.Json;
using Smitin.Audio;
using Smitin.IO;
using Smitin.Probing;
using Smitin.Steering;
using Smitin.Tests.Probing;
using Smitin.Tests.Support;
using TorchSharp;

namespace Smitin.Tests.Cli;

/// <summary>
/// <c>smitin generate --melody</c> on the MusicGen Melody fixture: melodies A and B written as 32 kHz WAVs from the
/// fixture's waveforms reproduce the reference's greedy codes (text + melody with guidance 3; melody only).
/// </summary>
public sealed class GenerateMelodyCommandTests : IDisposable
{
    readonly TempDir _dir = new();
    readonly SafeTensorsFile _ref;
    readonly string _model = Fixture.Model(MelodyFixture.Name);

    public GenerateMelodyCommandTests()
    {
        Native.TorchRuntime.Ensure();
        _ref = Fixture.Reference(MelodyFixture.Name);
    }

    public void Dispose()
    {
        _ref.Dispose();
        _dir.Dispose();
    }

    string[] Prompts()
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(_model, "reference.json")));
        return doc.RootElement.GetProperty("prompts").EnumerateArray().Select(p => p.GetString()!).ToArray();
    }

    string Wav(string tensor, string name)
    {
        using var w = _ref.Read(tensor);                                                      // (1, N) at 32 kHz
        AudioClip.FromTensor(w, 32000, tensor).Save(_dir.File(name), WavEncoding.Float32);
        return _dir.File(name);
    }

    [Fact]
    public async Task Text_and_melody_reproduce_the_reference_codes()
    {
        var p = Prompts();
        string a = Wav("chroma.a.waveform", "A.wav"), b = Wav("chroma.b.waveform", "B.wav");
        Assert.Equal(0, await CliHost.Run("generate", "--model", _model, "--text", p[0], "--text", p[1], "--melody", a, "--melody", b,
            "--greedy", "--max-new-tokens", "20", "--guidance", "3", "--codes-out", _dir.File("c.json"), "--out", _dir.File("out.wav")));
        using (var codes = CodesJson.Read(_dir.File("c.json")))
        using (var expected = _ref.Read("gen.textmelody.cfg3.audio_codes"))                   // (1, B, K, F)
            TensorAssert.Equal(expected[0], codes, "gen.textmelody.cfg3.audio_codes");
        using (var audio = _ref.Read("gen.textmelody.cfg3.audio_values"))                       // (B, 1, T)
        using (var got = AudioClip.Load(_dir.File("out-1.wav")).ToTensor())
            TensorAssert.Close(audio[1], got, what: "item 1 audio");

        // melody only (no --text): one zero text row, as the reference's generate(input_features=...)
        Assert.Equal(0, await CliHost.Run("generate", "--model", _model, "--melody", a,
            "--greedy", "--max-new-tokens", "20", "--guidance", "3", "--codes-out", _dir.File("m.json"), "--out", _dir.File("m.wav")));
        using var melodyCodes = CodesJson.Read(_dir.File("m.json"));
        using var melodyExpected = _ref.Read("gen.melody.cfg3.audio_codes");
        TensorAssert.Equal(melodyExpected[0], melodyCodes, "gen.melody.cfg3.audio_codes");
    }

    [Fact]
    public async Task Probe_then_steer_a_melody_generation_end_to_end()
    {
        // probe on the melody model (captured without text = null chroma + one zero text row), then ITI with a melody
        string root = _dir.File("planted");
        Directory.CreateDirectory(Path.Combine(root, "with"));
        Directory.CreateDirectory(Path.Combine(root, "without"));
        for (int i = 0; i < 12; i++)
        {
            var (with, without) = PlantedTrait.Clips($"track{i:D3}", 1.0);
            with.Save(Path.Combine(root, "with", $"track{i:D3}.wav"), WavEncoding.Float32);
            without.Save(Path.Combine(root, "without", $"track{i:D3}.wav"), WavEncoding.Float32);
        }
        string probe = _dir.File("tone.probe");
        Assert.Equal(0, await CliHost.Run("probe", "--model", _model, "--folders", root, "--trait", "tone", "--seconds", "1",
            "--validation", "0.3", "--seed", "0", "--no-cache", "--out", probe));
        var set = ProbeSet.Load(probe);
        Assert.Equal((2, 4), (set.Model.Layers, set.Model.Heads));

        string a = Wav("chroma.a.waveform", "A.wav");
        string[] Gen(string name, params string[] extra) => ["generate", "--model", _model, "--text", Prompts()[0], "--melody", a, "--greedy",
            "--max-new-tokens", "12", "--guidance", "3", "--codes-out", _dir.File(name + ".json"), "--out", _dir.File(name + ".wav"), .. extra];
        Assert.Equal(0, await CliHost.Run(Gen("plain")));
        Assert.Equal(0, await CliHost.Run(Gen("zero", "--steer", probe, "--mode", "iti", "--alpha", "0", "--trace-out", _dir.File("zero.trace.json"))));
        Assert.Equal(0, await CliHost.Run(Gen("iti", "--steer", probe, "--mode", "iti", "--alpha", "50", "--trace-out", _dir.File("iti.trace.json"))));
        using var plain = CodesJson.Read(_dir.File("plain.json"));
        using var zero = CodesJson.Read(_dir.File("zero.json"));
        using var iti = CodesJson.Read(_dir.File("iti.json"));
        TensorAssert.Equal(plain, zero, "α 0 from the CLI");
        Assert.False(plain.eq(iti).all().item<bool>(), "ITI α 50 changes the codes");
        var trace = SteeringRecord.FromJson(File.ReadAllText(_dir.File("iti.trace.json")));
        Assert.Equal(12, trace.Trace.Steps);
    }

    [Fact]
    public async Task Bad_melody_options_are_named_errors()
    {
        async Task Fails(string expected, params string[] args)
        {
            var (code, error) = await CliHost.RunCapturingErrors(args);
            Assert.Equal(1, code);
            Assert.Contains(expected, error);
        }
        string a = Wav("chroma.a.waveform", "A.wav");
        await Fails("give at least one --text prompt", "generate", "--model", _model, "--out", _dir.File("x.wav"));
        await Fails("3 --melody files for 2 --text prompts", "generate", "--model", _model, "--text", "a", "--text", "b",
            "--melody", a, "--melody", a, "--melody", a, "--out", _dir.File("x.wav"));
        await Fails("--melody and --audio-prompt cannot be combined", "generate", "--model", _model, "--text", "a", "--melody", a,
            "--audio-prompt", a, "--out", _dir.File("x.wav"));
        await Fails("missing.wav: audio file not found", "generate", "--model", _model, "--text", "a", "--melody", _dir.File("missing.wav"), "--out", _dir.File("x.wav"));
        await Fails("--melody needs a MusicGen Melody model", "generate", "--model", Fixture.Model(), "--text", "a", "--melody", a,
            "--max-new-tokens", "6", "--out", _dir.File("x.wav"));
    }
}
