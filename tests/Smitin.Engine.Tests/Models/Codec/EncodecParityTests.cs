using Smitin.IO;
using Smitin.Models;
using Smitin.Models.Codec;
using Smitin.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Smitin.Tests.Models.Codec;

/// <summary>Shared codec loaded straight from the fixture checkpoint (independent of the text/decoder parts).</summary>
public sealed class FixtureCodec : IDisposable
{
    public EncodecModel Codec { get; }
    public SafeTensorsFile Reference { get; }

    public FixtureCodec()
    {
        Native.TorchRuntime.Ensure();
        var config = MusicGenConfig.Load(Fixture.Model());
        using var ckpt = Checkpoint.Open(Fixture.Model());
        Codec = EncodecModel.Load(ckpt, config.AudioEncoder);
        Reference = Fixture.Reference();
    }

    public void Dispose()
    {
        Codec.Dispose();
        Reference.Dispose();
    }
}

/// <summary>EnCodec against the reference tensors of the tiny fixture (README: atol 1e-4 + rtol 1e-4, codes exact).</summary>
public sealed class EncodecParityTests(FixtureCodec fx) : IClassFixture<FixtureCodec>
{
    EncodecModel Codec => fx.Codec;

    [Fact]
    public void Embeddings_match_reference()
    {
        using var scope = torch.NewDisposeScope();
        var audio = fx.Reference.Read("encodec.input_values");          // (1, 1, 32000)
        TensorAssert.Close(fx.Reference.Read("encodec.embeddings"), Codec.Embed(audio), what: "encodec.embeddings");
    }

    [Fact]
    public void Codes_match_reference_exactly()
    {
        using var scope = torch.NewDisposeScope();
        var audio = fx.Reference.Read("encodec.input_values");
        var expected = fx.Reference.Read("encodec.audio_codes")[0];      // (1, 4, 50): drop the chunk dim
        TensorAssert.Equal(expected, Codec.Encode(audio), "encodec.audio_codes");
        TensorAssert.Equal(expected, Codec.Encode(audio), "encodec.audio_codes (second call: the input is left intact)");
    }

    [Fact]
    public void Quantized_latents_match_reference()
    {
        using var scope = torch.NewDisposeScope();
        var codes = fx.Reference.Read("encodec.audio_codes")[0];
        TensorAssert.Close(fx.Reference.Read("encodec.quantized"), Codec.Quantized(codes), what: "encodec.quantized");
    }

    [Fact]
    public void Decoded_audio_matches_reference()
    {
        using var scope = torch.NewDisposeScope();
        var codes = fx.Reference.Read("encodec.audio_codes")[0];
        TensorAssert.Close(fx.Reference.Read("encodec.audio_values"), Codec.Decode(codes), what: "encodec.audio_values");
    }

    [Fact]
    public void Prompt_codes_match_reference_exactly()
    {
        using var scope = torch.NewDisposeScope();
        var audio = fx.Reference.Read("cont.input_values");             // (1, 1, 9600): 15 frames, the last one partial-padded
        TensorAssert.Equal(fx.Reference.Read("cont.prompt_codes")[0], Codec.Encode(audio), "cont.prompt_codes");
    }

    [Fact]
    public void Codebook_count_follows_bandwidth_rule()
    {
        // README behaviour 8: num_quantizers = 4 layers built, encode asks floor(2.2*1000/(6*50)) = 7, min(7, 4) = 4.
        Assert.Equal(4, Codec.Quantizer.NumQuantizers);
        Assert.Equal(7, (int)Math.Floor(2.2 * 1000 / (Math.Log2(64) * 50)));
        Assert.Equal(4, Codec.NumCodebooks);
        Assert.Equal(1, Codec.Quantizer.CodebooksForBandwidth(0.1));
        Assert.Equal(2, Codec.Quantizer.CodebooksForBandwidth(0.6));
    }
}
