using Smitin.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Smitin.Tests.Models.Codec;

/// <summary>
/// Stereo MusicGen keeps a mono codec: each channel is encoded alone and the codebooks are interleaved,
/// even rows = left, odd rows = right (reference MusicgenForConditionalGeneration); decoding splits them back.
/// </summary>
public sealed class EncodecStereoTests(FixtureCodec fx) : IClassFixture<FixtureCodec>
{
    [Fact]
    public void Stereo_codes_interleave_per_channel_codes()
    {
        using var scope = torch.NewDisposeScope();
        var left = fx.Reference.Read("encodec.input_values");          // (1, 1, 32000)
        var right = left.flip(-1) * 0.8f;                              // a different signal of the same length
        var stereo = torch.cat([left, right], 1);                      // (1, 2, 32000)

        var codes = fx.Codec.EncodeChannels(stereo);                   // (1, 8, 50)
        var codesLeft = fx.Codec.Encode(left);                         // (1, 4, 50)
        var codesRight = fx.Codec.Encode(right);

        Assert.Equal(new long[] { 1, 2 * fx.Codec.NumCodebooks, 50 }, codes.shape);
        Assert.True(codesLeft.ne(codesRight).any().item<bool>(), "test signal: left and right must give different codes");
        TensorAssert.Equal(codesLeft, codes.slice(1, 0, codes.shape[1], 2), "even rows = left");
        TensorAssert.Equal(codesRight, codes.slice(1, 1, codes.shape[1], 2), "odd rows = right");
        TensorAssert.Equal(codesLeft.select(1, 0), codes.select(1, 0), "row 0 = left codebook 0");
        TensorAssert.Equal(codesRight.select(1, 0), codes.select(1, 1), "row 1 = right codebook 0");
    }

    [Fact]
    public void Stereo_decode_splits_interleaved_codes()
    {
        using var scope = torch.NewDisposeScope();
        var left = fx.Reference.Read("encodec.audio_codes")[0];        // (1, 4, 50)
        var right = left.flip(-1);
        var interleaved = torch.stack([left, right], 2).reshape(1, 8, 50); // rows L0 R0 L1 R1 ...

        var audio = fx.Codec.DecodeChannels(interleaved, 2);           // (1, 2, 32000)
        Assert.Equal(new long[] { 1, 2, 32000 }, audio.shape);
        TensorAssert.Close(fx.Codec.Decode(left), audio.narrow(1, 0, 1), atol: 0, rtol: 0, what: "left channel");
        TensorAssert.Close(fx.Codec.Decode(right), audio.narrow(1, 1, 1), atol: 0, rtol: 0, what: "right channel");
        TensorAssert.Close(fx.Reference.Read("encodec.audio_values"), audio.narrow(1, 0, 1), what: "left channel vs reference");
    }

    [Fact]
    public void Wrong_channel_count_or_codes_are_refused_by_name()
    {
        using var scope = torch.NewDisposeScope();
        var e1 = Assert.Throws<SmitinException>(() => fx.Codec.Encode(torch.zeros(1, 2, 640)));
        Assert.Contains("expected (batch, 1, samples)", e1.Message);
        var e2 = Assert.Throws<SmitinException>(() => fx.Codec.DecodeChannels(torch.zeros([1, 7, 5], ScalarType.Int64), 2));
        Assert.Contains("multiple of 2", e2.Message);
        var e3 = Assert.Throws<SmitinException>(() => fx.Codec.Decode(torch.full([1, 4, 5], 64L, ScalarType.Int64)));
        Assert.Contains("code 64 out of range (expected 0..63)", e3.Message);
        var e4 = Assert.Throws<SmitinException>(() => fx.Codec.Decode(torch.zeros([1, 5, 5], ScalarType.Int64)));
        Assert.Contains("at most 4 codebooks", e4.Message);
    }
}
