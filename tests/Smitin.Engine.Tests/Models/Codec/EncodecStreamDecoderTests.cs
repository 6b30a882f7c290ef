using Smitin.Models.Codec;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Smitin.Tests.Models.Codec;

/// <summary>Streamed decoding equals the one-shot decode (the acceptance bound 1e-4), in pieces of any size.</summary>
public class EncodecStreamDecoderTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(new[] { 1, 7, 13, 50, 3, 26, 100, 40, 60 })]
    [InlineData(new[] { 300 })]
    [InlineData(new[] { 25, 25, 25, 25, 25, 25, 25, 25, 25, 25, 25, 25 })]
    public void ConcatenatedChunksEqualTheOneShotDecode(int[] pieces)
    {
        var model = TinyModel.Shared;
        using var scope = torch.NewDisposeScope();
        int frames = pieces.Sum();
        var codes = torch.randint(0, model.Codec.CodebookSize, [2, model.Config.Decoder.NumCodebooks, frames], generator: new Generator(9)); // (B, K, F)
        var oneShot = model.DecodeCodes(codes);                                                  // (B, 1, F·hop)

        using var stream = new EncodecStreamDecoder(model.Codec, model.AudioChannels);
        var chunks = new List<Tensor>();
        int given = 0, early = 0;
        foreach (int n in pieces)
        {
            stream.Append(codes.narrow(2, given, n));
            given += n;
            var chunk = stream.Decode();
            if (given < frames) early += (int)chunk.shape[2];
            chunks.Add(chunk);
            Assert.True(stream.FramesDecoded <= given - stream.MarginFrames || stream.FramesDecoded == 0, "nothing is handed out that a later frame can change");
        }
        chunks.Add(stream.Decode(final: true));
        var streamed = torch.cat(chunks, 2);
        Assert.Equal(oneShot.shape, streamed.shape);
        double maxDiff = (streamed - oneShot).abs().max().item<float>();
        output.WriteLine($"pieces [{string.Join(",", pieces)}]: margin {stream.MarginFrames} frames, max |streamed - one-shot| = {maxDiff:E2}, {early} samples before the end");
        Assert.True(maxDiff <= 1e-4, $"max |diff| {maxDiff:E3}");
        if (pieces.Length > 1) Assert.True(early > 0, "audio is handed out before the last frame arrives");
    }

    [Fact]
    public void TheMarginIsNeededAShorterOneWouldChangeSamples()
    {
        // decoding only the last few frames (no left context) differs from the one-shot decode: the margin is real
        var model = TinyModel.Shared;
        using var scope = torch.NewDisposeScope();
        var codes = torch.randint(0, model.Codec.CodebookSize, [1, model.Config.Decoder.NumCodebooks, 120], generator: new Generator(3));
        var all = model.DecodeCodes(codes);
        var tail = model.DecodeCodes(codes.narrow(2, 60, 60));
        int hop = model.Codec.HopLength;
        double diff = (all.narrow(2, 60 * hop, 60 * hop) - tail).abs().max().item<float>();
        Assert.True(diff > 1e-3, $"without context the decode should differ; max |diff| {diff:E2}");
    }
}
