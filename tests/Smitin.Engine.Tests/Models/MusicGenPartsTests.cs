using Smitin.Generation;
using Smitin.Models;
using Smitin.Tests.Support;
using TorchSharp;

namespace Smitin.Tests.Models;

/// <summary>
/// <see cref="MusicGen"/> composed of its parts (<see cref="MusicGenLoadOptions.Parts"/>): a part left out is named
/// when used ("model has no codec loaded"), the parts that were built behave as in the full model, and a disposed
/// model says it is disposed.
/// </summary>
public class MusicGenPartsTests
{
    static MusicGen Load(MusicGenParts parts) =>
        MusicGen.Load(Fixture.Model(), new MusicGenLoadOptions { Parts = parts, Log = _ => { } });

    static readonly GenerationOptions Greedy = new() { Greedy = true, MaxNewTokens = 10, Seed = 1 };

    [Fact]
    public void A_model_loaded_without_its_codec_generates_codes_and_names_the_codec_when_audio_is_needed()
    {
        using var noCodec = Load(MusicGenParts.Text | MusicGenParts.Decoder);
        Assert.Equal(MusicGenParts.Text | MusicGenParts.Decoder, noCodec.Parts);

        using var codes = noCodec.Generate(["drums"], Greedy, decodeAudio: false);            // text + decoder suffice
        using var full = TinyModel.Shared.Generate(["drums"], Greedy, decodeAudio: false);
        Assert.True(codes.Codes.equal(full.Codes).all().item<bool>(), "the same parts give the same codes");

        var e = Assert.Throws<SmitinException>(() => noCodec.DecodeCodes(codes.Codes));
        Assert.Contains("model has no codec loaded", e.Message);
        Assert.Contains(Fixture.Model(), e.Message);
        Assert.Contains("model has no codec loaded", Assert.Throws<SmitinException>(() => noCodec.Generate(["drums"], Greedy)).Message);
        using var audio = torch.zeros(1, noCodec.AudioChannels, 640);
        Assert.Contains("model has no codec loaded", Assert.Throws<SmitinException>(() => noCodec.EncodeAudio(audio)).Message);
    }

    [Fact]
    public void A_codec_only_model_round_trips_audio_and_names_the_missing_text_encoder_and_decoder()
    {
        using var codec = Load(MusicGenParts.Codec);
        using var audio = torch.rand(1, codec.AudioChannels, 1280) * 0.2 - 0.1;               // (1, C, T)
        using var ours = codec.DecodeCodes(codec.EncodeAudio(audio));
        using var full = TinyModel.Shared.DecodeCodes(TinyModel.Shared.EncodeAudio(audio));
        Assert.True(ours.equal(full).all().item<bool>(), "codec-only decode = the full model's");

        Assert.Contains("model has no text encoder loaded", Assert.Throws<SmitinException>(() => codec.EncodeText(["drums"])).Message);
        Assert.Contains("model has no decoder loaded", Assert.Throws<SmitinException>(() => codec.Decoder).Message);
    }

    [Fact]
    public void A_disposed_model_says_so_and_no_parts_is_refused()
    {
        var model = Load(MusicGenParts.All);
        model.Dispose();
        Assert.Throws<ObjectDisposedException>(() => model.Codec);
        Assert.Throws<ObjectDisposedException>(() => model.Text);
        model.Dispose();                                                                          // twice is harmless

        Assert.Contains("expected at least one of Text, Codec, Decoder",
            Assert.Throws<SmitinException>(() => Load((MusicGenParts)0)).Message);
    }
}
