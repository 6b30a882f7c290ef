using Smitin.Models.Decoder;
using Smitin.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Smitin.Tests.Models.Decoder;

public class DelayPatternTests(DecoderFixture f) : IClassFixture<DecoderFixture>
{
    [Fact]
    public void TeacherForcedPatternAndFirstOutputMatchTheReference()
    {
        using var scope = torch.NewDisposeScope();
        var ids = f.Ref("lm.codes_with_bos");                                   // (B, K, S)
        var expected = f.Ref("lm.delay_pattern_mask");                          // (B, K, S + Kc - 1)
        var (prefix, pattern) = DelayPattern.Build(ids, f.Pad, (int)expected.shape[2], f.Config.Decoder.AudioChannels);
        TensorAssert.Equal(expected, pattern, "lm.delay_pattern_mask");
        TensorAssert.Equal(f.Ref("lm.delay_first_output"), prefix, "lm.delay_first_output");
        TensorAssert.Equal(f.Ref("lm.input_ids"), pattern, "lm.input_ids");
        Assert.False(pattern.eq(-1).any().item<bool>(), "a fully known sequence has no -1");
    }

    [Theory]
    [InlineData("gen.cfg3", false)]
    [InlineData("gen.nocfg", false)]
    [InlineData("cont.cfg3", true)]
    [InlineData("cont.nocfg", true)]
    public void GenerationPatternAndStartIdsMatchTheReference(string run, bool continuation)
    {
        using var scope = torch.NewDisposeScope();
        int k = f.Config.Decoder.NumCodebooks;
        var expectedPattern = f.Ref($"{run}.delay_pattern_mask");                // (B*K, L)
        var expectedStart = f.Ref($"{run}.decoder_start_ids");                   // (B*K, P)
        long b = expectedPattern.shape[0] / k;
        var ids = continuation
            ? DelayPattern.WithStartToken(f.Ref("cont.prompt_codes")[0], f.Pad)     // (B, K, 1 + frames)
            : torch.full(b, k, 1, (long)f.Pad, ScalarType.Int64);
        var (prefix, pattern) = DelayPattern.Build(ids, f.Pad, (int)expectedPattern.shape[1], f.Config.Decoder.AudioChannels);
        TensorAssert.Equal(expectedPattern, pattern.reshape(b * k, -1), $"{run}.delay_pattern_mask");
        TensorAssert.Equal(expectedStart, prefix.reshape(b * k, -1), $"{run}.decoder_start_ids");
    }

    [Theory]
    [InlineData("gen.cfg3")]
    [InlineData("cont.nocfg")]
    public void RevertDropsPadTokensLikeTheReference(string run)
    {
        using var scope = torch.NewDisposeScope();
        int k = f.Config.Decoder.NumCodebooks;
        var delayed = f.Ref($"{run}.sequences_delayed");                         // (B*K, L)
        var expected = f.Ref($"{run}.audio_codes")[0];                           // (B, K, F)
        var codes = DelayPattern.Revert(delayed.reshape(-1, k, delayed.shape[1]), f.Config.Decoder.PadTokenId);
        TensorAssert.Equal(expected, codes, $"{run}.audio_codes");
    }

    [Fact]
    public void ApplyKeepsPredictionsOnlyWhereThePatternIsOpen()
    {
        using var scope = torch.NewDisposeScope();
        var pattern = f.Ref("gen.cfg3.delay_pattern_mask");
        var raw = f.Ref("gen.cfg3.sequences_raw");
        TensorAssert.Equal(f.Ref("gen.cfg3.sequences_delayed"), DelayPattern.Apply(raw.unsqueeze(0), pattern.unsqueeze(0))[0]);
    }

    [Fact]
    public void StereoShiftsEachChannelPairTogetherAndRoundTrips()
    {
        using var scope = torch.NewDisposeScope();
        const int k = 8, frames = 6, pad = 100;
        var codes = torch.arange(2 * k * frames, ScalarType.Int64).reshape(2, k, frames) % pad; // (B, K, F)
        var ids = DelayPattern.WithStartToken(codes, pad);
        int maxLength = frames + 1 + k / 2 - 1;
        var (prefix, pattern) = DelayPattern.Build(ids, pad, maxLength, audioChannels: 2);
        Assert.Equal(frames + 1, prefix.shape[2]);
        for (int row = 0; row < k; row++)
        {
            int delay = row / 2;
            // codebook row is shifted by its channel index: first code at delay + 1 (after the start column)
            Assert.Equal(codes[0, row, 0].item<long>(), pattern[0, row, delay + 1].item<long>());
            Assert.Equal(pad, pattern[0, row, delay].item<long>());
        }
        TensorAssert.Equal(codes, DelayPattern.Revert(pattern, pad), "stereo round trip");
    }

    [Fact]
    public void TooShortALengthIsANamedError()
    {
        using var ids = torch.full(1, 4, 1, 64L, ScalarType.Int64);
        var e = Assert.Throws<SmitinException>(() => DelayPattern.Build(ids, 64, 5, 1));
        Assert.Contains("max length 5", e.Message);
    }
}
