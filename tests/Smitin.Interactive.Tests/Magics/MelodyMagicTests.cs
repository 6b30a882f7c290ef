using Smitin.Audio;
using Smitin.Generation;
using Smitin.Interactive.Tests.Support;
using Smitin.IO;
using static TorchSharp.torch;

namespace Smitin.Interactive.Tests.Magics;

/// <summary>
/// <c>#!smitin generate --melody</c> (the CLI's option name) on the MusicGen Melody fixture: melody A alone, greedy,
/// guidance 3, 20 decoder steps (0.34 s = 17 frames) reproduces the reference's <c>gen.melody.cfg3</c> codes.
/// </summary>
public class MelodyMagicTests : IAsyncLifetime
{
    NotebookKernel _kernel = null!;
    readonly string _dir = Directory.CreateTempSubdirectory("smitin-melody-magic-").FullName;
    string Model => Path.Combine(Repo.Fixtures, "musicgen-melody-tiny");

    public async Task InitializeAsync()
    {
        (_kernel, _) = await NotebookKernel.CreateAsync();
        (await _kernel.SubmitAsync($"#!smitin load \"{Model}\"")).Succeeded();
    }

    public Task DisposeAsync()
    {
        _kernel.Dispose();
        Directory.Delete(_dir, true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Melody_only_generation_reproduces_the_reference_and_bad_use_is_explained()
    {
        using var reference = SafeTensorsFile.Open(Path.Combine(Model, "reference.safetensors"));
        string wav = Path.Combine(_dir, "A.wav");
        using (var a = reference.Read("chroma.a.waveform")) AudioClip.FromTensor(a, 32000, "A").Save(wav, WavEncoding.Float32);

        var r = await _kernel.SubmitAsync($"#!smitin generate --melody \"{wav}\" --seconds 0.34 --temperature 0 --guidance 3 --var tune");
        r.Succeeded();
        Assert.True(_kernel.CSharp.TryGetValue<GenerationResult>("tune", out var tune));
        using var expected = reference.Read("gen.melody.cfg3.audio_codes");                    // (1, 1, K, 17)
        Assert.True(expected[0].eq(tune.Codes).all().item<bool>() && tune.Codes.shape.SequenceEqual(expected[0].shape),
            $"codes [{string.Join(", ", tune.Codes.shape)}] differ from gen.melody.cfg3.audio_codes");

        var both = await _kernel.SubmitAsync($"#!smitin generate --melody \"{wav}\" --audio \"{wav}\"");
        Assert.Contains("--melody and --audio-prompt cannot be combined", both.Error());
        var missing = await _kernel.SubmitAsync($"#!smitin generate --melody \"{Path.Combine(_dir, "none.wav")}\"");
        Assert.Contains("no such WAV file", missing.Error());
        (await _kernel.SubmitAsync($"#!smitin load \"{Repo.TinyModel}\"")).Succeeded();
        var plain = await _kernel.SubmitAsync($"#!smitin generate \"x\" --melody \"{wav}\" --seconds 0.2");
        Assert.Contains("--melody needs a MusicGen Melody model", plain.Error());
    }
}
