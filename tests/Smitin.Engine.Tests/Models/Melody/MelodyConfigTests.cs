using System.Text.Json.Nodes;
using Smitin.Models;
using Smitin.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Smitin.Tests.Models.Melody;

/// <summary>
/// Every melody size comes from config.json and preprocessor_config.json: the fixture's weights with another
/// chroma_length and other STFT settings load, extract and generate with those sizes; bad settings are named errors.
/// </summary>
public sealed class MelodyConfigTests : IDisposable
{
    readonly TempDir _dir = new();
    readonly string _fixture = Fixture.Model(MelodyFixture.Name);

    public void Dispose() => _dir.Dispose();

    string Variant(Action<JsonObject> config, Action<JsonObject> preprocessor)
    {
        string folder = _dir.File("variant-" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(folder);
        foreach (var f in new[] { "model.safetensors", "spiece.model", "tokenizer_config.json", "special_tokens_map.json", "generation_config.json" })
            File.Copy(Path.Combine(_fixture, f), Path.Combine(folder, f));
        var c = JsonNode.Parse(File.ReadAllText(Path.Combine(_fixture, "config.json")))!.AsObject();
        config(c);
        File.WriteAllText(Path.Combine(folder, "config.json"), c.ToJsonString());
        var p = JsonNode.Parse(File.ReadAllText(Path.Combine(_fixture, "preprocessor_config.json")))!.AsObject();
        preprocessor(p);
        File.WriteAllText(Path.Combine(folder, "preprocessor_config.json"), p.ToJsonString());
        return folder;
    }

    [Fact]
    public void OtherChromaLengthAndStftSettingsAreReadFromTheFiles()
    {
        string folder = Variant(c => c["chroma_length"] = 20, p =>
        {
            p["n_fft"] = 8192; p["hop_length"] = 2048; p["chunk_length"] = 2; p["n_samples"] = 64000;
        });
        using var model = TinyModel.Load(folder);
        using var scope = torch.NewDisposeScope();
        Assert.Equal(20, model.Config.Melody!.ChromaLength);
        Assert.Equal((8192, 2048, 64000), (model.Chroma.Config.NFft, model.Chroma.Config.HopLength, model.Chroma.Config.MaxSamples));
        Assert.Equal(new long[] { 12, 8192 / 2 + 1 }, model.Chroma.FilterBank.shape);

        using var reference = Fixture.Reference(MelodyFixture.Name);
        using var a = reference.Read("chroma.a.waveform");                                    // 3 s at 32 kHz, cut to 2 s
        using var chroma = model.Chroma.Extract([a], 32000);
        Assert.Equal(1 + 64000 / 2048, chroma.Frames);
        using var text = model.EncodeText(["a tune"]);
        var (prefix, uncond) = model.BuildMelodyPrefix(text, chroma.OneHot);
        Assert.Equal(20 + text.Length, prefix.shape[1]);                                       // chroma_length + text rows
        Assert.Equal(prefix.shape, uncond.shape);
        using var result = model.GenerateMelody(["a tune"], chroma.OneHot, 1, new() { Greedy = true, MaxNewTokens = 8 }, decodeAudio: false);
        Assert.Equal(8 + 1 - 4, result.Frames);
    }

    [Fact]
    public void BadMelodySettingsAreNamedErrors()
    {
        var e = Assert.Throws<SmitinException>(() => TinyModel.Load(Variant(_ => { }, p => p["feature_size"] = 11)));
        Assert.Contains("num_chroma 12 differs from preprocessor_config.json feature_size 11", e.Message);
        e = Assert.Throws<SmitinException>(() => TinyModel.Load(Variant(_ => { }, p => p["hop_length"] = 0)));
        Assert.Contains("hop_length 0", e.Message);
        e = Assert.Throws<SmitinException>(() => TinyModel.Load(Variant(c => c["chroma_length"] = 0, _ => { })));
        Assert.Contains("chroma_length 0", e.Message);
        e = Assert.Throws<SmitinException>(() => TinyModel.Load(Variant(c => c["decoder"]!["model_type"] = "musicgen_decoder", _ => { })));
        Assert.Contains("needs decoder.model_type 'musicgen_melody_decoder'", e.Message);
        e = Assert.Throws<SmitinException>(() => TinyModel.Load(Variant(c => c["chroma_length"] = 600, _ => { })));
        Assert.Contains("max_position_embeddings", e.Message);
    }
}
