using System.Text.Json.Nodes;
using Smitin.IO;
using Smitin.Models;
using Smitin.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Smitin.Tests.Models.Codec;

/// <summary>
/// The codec through the public loader (<see cref="MusicGen.Load"/>): mono fixture and a stereo variant of it.
/// These need every part of the checkpoint to be consumed, i.e. the text encoder and decoder parts loaded too.
/// </summary>
public sealed class MusicGenCodecTests : IDisposable
{
    readonly TempDir _dir = new();
    readonly SafeTensorsFile _ref;
    static readonly MusicGenLoadOptions Quiet = new() { Log = _ => { } };

    public MusicGenCodecTests()
    {
        Native.TorchRuntime.Ensure();
        _ref = Fixture.Reference();
    }

    public void Dispose()
    {
        _ref.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public void Mono_fixture_encodes_and_decodes_like_the_reference()
    {
        using var mg = MusicGen.Load(Fixture.Model(), Quiet);
        using var scope = torch.NewDisposeScope();
        Assert.Equal(32000, mg.SampleRate);
        Assert.Equal(1, mg.AudioChannels);
        Assert.Equal(50, mg.FrameRate);
        var codes = mg.EncodeAudio(_ref.Read("encodec.input_values"));
        TensorAssert.Equal(_ref.Read("encodec.audio_codes")[0], codes, "EncodeAudio");
        TensorAssert.Close(_ref.Read("encodec.audio_values"), mg.DecodeCodes(codes), what: "DecodeCodes");
        TensorAssert.Equal(_ref.Read("cont.prompt_codes")[0], mg.EncodeAudio(_ref.Read("cont.input_values")), "EncodeAudio (prompt)");

        var e = Assert.Throws<SmitinException>(() => mg.EncodeAudio(torch.zeros(1, 2, 640)));
        Assert.Contains("expected (batch, 1, samples)", e.Message);
        var e2 = Assert.Throws<SmitinException>(() => mg.DecodeCodes(torch.zeros([1, 3, 5], ScalarType.Int64)));
        Assert.Contains("expected (batch, 4, frames)", e2.Message);
    }

    /// <summary>
    /// A stereo checkpoint built from the fixture: decoder.audio_channels = 2, num_codebooks = 8 (the extra
    /// codebook embeddings and heads are copies), same mono EnCodec.
    /// </summary>
    string StereoModel(int numCodebooks = 8)
    {
        string dir = Path.Combine(_dir.Path, $"stereo-{numCodebooks}");
        Directory.CreateDirectory(dir);
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(Fixture.Model(), "config.json")))!;
        config["decoder"]!["audio_channels"] = 2;
        config["decoder"]!["num_codebooks"] = numCodebooks;
        File.WriteAllText(Path.Combine(dir, "config.json"), config.ToJsonString());
        foreach (string name in new[] { "spiece.model", "tokenizer_config.json", "special_tokens_map.json", "generation_config.json", "preprocessor_config.json" })
            File.Copy(Path.Combine(Fixture.Model(), name), Path.Combine(dir, name));

        using var st = SafeTensorsFile.Open(Path.Combine(Fixture.Model(), "model.safetensors"));
        var tensors = st.Keys.ToDictionary(k => k, k => st.Read(k));
        for (int k = 4; k < numCodebooks; k++)
        {
            tensors[$"decoder.model.decoder.embed_tokens.{k}.weight"] = tensors[$"decoder.model.decoder.embed_tokens.{k - 4}.weight"].clone();
            tensors[$"decoder.lm_heads.{k}.weight"] = tensors[$"decoder.lm_heads.{k - 4}.weight"].clone();
        }
        SafeTensorsWriter.Write(Path.Combine(dir, "model.safetensors"), tensors);
        foreach (var t in tensors.Values) t.Dispose();
        return dir;
    }

    [Fact]
    public void Stereo_model_interleaves_channel_codes()
    {
        using var mg = MusicGen.Load(StereoModel(), Quiet);
        using var scope = torch.NewDisposeScope();
        Assert.Equal(2, mg.AudioChannels);
        var left = _ref.Read("encodec.input_values");                   // (1, 1, 32000)
        var right = left.flip(-1) * 0.8f;
        var codes = mg.EncodeAudio(torch.cat([left, right], 1));        // (1, 8, 50)
        Assert.Equal(new long[] { 1, 8, 50 }, codes.shape);
        TensorAssert.Equal(_ref.Read("encodec.audio_codes")[0], codes.slice(1, 0, 8, 2), "even rows = left");
        TensorAssert.Equal(mg.Codec.Encode(right), codes.slice(1, 1, 8, 2), "odd rows = right");

        var audio = mg.DecodeCodes(codes);                              // (1, 2, 32000)
        Assert.Equal(new long[] { 1, 2, 32000 }, audio.shape);
        TensorAssert.Close(_ref.Read("encodec.audio_values"), audio.narrow(1, 0, 1), what: "left channel");
        TensorAssert.Close(mg.Codec.Decode(mg.Codec.Encode(right)), audio.narrow(1, 1, 1), atol: 0, rtol: 0, what: "right channel");
    }

    [Fact]
    public void Codebook_count_inconsistent_with_the_codec_is_refused()
    {
        // stereo needs 2 x 4 codebooks; a config claiming 4 must fail at load, naming the field
        var e = Assert.Throws<SmitinException>(() => MusicGen.Load(StereoModel(numCodebooks: 4), Quiet));
        Assert.Contains("decoder.num_codebooks 4", e.Message);
    }
}
