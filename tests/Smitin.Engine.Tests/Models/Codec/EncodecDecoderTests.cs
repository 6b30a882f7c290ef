using Smitin.Models.Codec;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Smitin.Tests.Models.Codec;

/// <summary>The decoder's time tiles (inference) give the one-pass decode, to the streaming bound 1e-4.</summary>
public class EncodecDecoderTests(FixtureCodec fx, ITestOutputHelper output) : IClassFixture<FixtureCodec>
{
    [Theory]
    [InlineData(640)]     // many tiles, a short last one
    [InlineData(1000)]    // tile length not a divisor of the piece
    public void TiledDecodeEqualsTheOnePassDecode(int tileSamples)
    {
        var codec = fx.Codec;                                                            // this class's own instance: tiles changed here only
        var decoder = codec.Decoder;
        using var scope = torch.NewDisposeScope();
        var codes = torch.randint(0, codec.CodebookSize, [2, codec.NumCodebooks, 300], generator: new Generator(5)); // (B, K, F)
        try
        {
            decoder.PlanTiles(0);
            Assert.Equal(decoder.Layers.Count, decoder.TileStart);
            var onePass = codec.Decode(codes);                                    // (B, 1, F·hop)
            decoder.PlanTiles(tileSamples);
            Assert.True(decoder.TileStart < decoder.Layers.Count, "some layers are tiled");
            Assert.True(decoder.TileStart > decoder.Layers.ToList().FindIndex(l => l is EncodecLstm), "the LSTM is never tiled");
            var tiled = codec.Decode(codes);
            Assert.Equal(onePass.shape, tiled.shape);
            double maxDiff = (tiled - onePass).abs().max().item<float>();
            output.WriteLine($"tiles of {tileSamples} from layer {decoder.TileStart}, margin {decoder.Margin}: max |tiled - one pass| = {maxDiff:E2}");
            Assert.True(maxDiff <= 1e-4, $"max |diff| {maxDiff:E3}");
        }
        finally { decoder.PlanTiles(EncodecDecoder.DefaultTileSamples); }
    }

    [Fact]
    public void TilesWithoutContextWouldDiffer()
    {
        // the margin matters: tiles of the bare layers over pieces without context change samples at the joins
        var codec = fx.Codec;                                                            // this class's own instance: tiles changed here only
        var decoder = codec.Decoder;
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        decoder.PlanTiles(640);
        try
        {
            var codes = torch.randint(0, codec.CodebookSize, [1, codec.NumCodebooks, 300], generator: new Generator(6));
            var h = codec.Quantized(codes);
            for (int i = 0; i < decoder.TileStart; i++) h = decoder.Layers[i].call(h);   // (1, C, t) input of the tiled part
            var whole = decoder.RunTiled(h);
            long half = h.shape[2] / 2, s = whole.shape[2] / h.shape[2];
            var right = h.narrow(2, half, h.shape[2] - half);
            for (int i = decoder.TileStart; i < decoder.Layers.Count; i++) right = decoder.Layers[i].call(right);
            double diff = (whole.narrow(2, half * s, right.shape[2]) - right).abs().max().item<float>();
            Assert.True(diff > 1e-3, $"without context the join should differ; max |diff| {diff:E2}");
        }
        finally { decoder.PlanTiles(EncodecDecoder.DefaultTileSamples); }
    }
}
