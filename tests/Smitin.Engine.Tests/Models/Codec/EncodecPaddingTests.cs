using Smitin.Models;
using Smitin.Models.Codec;
using Smitin.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Smitin.Tests.Models.Codec;

/// <summary>The reference padding rules (fixture README behaviour 7), including the causal variant the fixture does not cover.</summary>
public sealed class EncodecPaddingTests
{
    public EncodecPaddingTests() => Native.TorchRuntime.Ensure();

    static EncodecConfig Config(bool causal) => MusicGenConfig.Load(Fixture.Model()).AudioEncoder with { UseCausalConv = causal };

    [Fact]
    public void Reflect_pad_on_short_input_zero_prepads_then_trims()
    {
        using var x = torch.tensor(new float[] { 1, 2 }).reshape(1, 1, 2);
        using var y = EncodecConv1d.Pad1d(x, 3, 3, PaddingModes.Reflect);
        // [1,2] -> zero pre-pad to [1,2,0,0] -> reflect 3|3 -> [0,0,2,1,2,0,0,0,2,1] -> drop the 2 extra at the end
        Assert.Equal(new float[] { 0, 0, 2, 1, 2, 0, 0, 0 }, y.data<float>().ToArray());
        using var z = EncodecConv1d.Pad1d(torch.arange(5f).reshape(1, 1, 5), 2, 1, PaddingModes.Reflect);
        Assert.Equal(new float[] { 2, 1, 0, 1, 2, 3, 4, 3 }, z.data<float>().ToArray());
    }

    [Theory]
    // length, effective kernel, stride, padding_total -> extra right padding so the last frame is complete
    [InlineData(32000, 16, 8, 8, 0)]
    [InlineData(9601, 16, 8, 8, 7)]
    [InlineData(3, 10, 5, 5, 2)]
    [InlineData(100, 7, 1, 6, 0)]
    public void Extra_padding_completes_the_last_frame(long length, long kernel, long stride, long paddingTotal, long expected)
    {
        Assert.Equal(expected, EncodecConv1d.ExtraPadding(length, kernel, stride, paddingTotal));
        Assert.Equal(0, (length + paddingTotal + expected - kernel) % stride);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Strided_conv_gives_ceil_length(bool causal)
    {
        using var scope = torch.NewDisposeScope();
        using var conv = new EncodecConv1d(Config(causal), 1, 2, kernelSize: 10, stride: 5);
        foreach (long t in new long[] { 1, 3, 5, 99, 100, 101 })
            Assert.Equal((t + 4) / 5, conv.call(torch.randn(1, 1, t)).shape[2]);
    }

    [Fact]
    public void Causal_conv_output_does_not_see_the_future()
    {
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        using var conv = new EncodecConv1d(Config(causal: true), 1, 3, kernelSize: 7, dilation: 2);
        var x = torch.randn(1, 1, 64);
        var y = conv.call(x);
        var x2 = x.clone();
        x2[0, 0, 40] = x2[0, 0, 40] + 5f;                                // change the input at t = 40
        var y2 = conv.call(x2);
        TensorAssert.Close(y.narrow(2, 0, 40), y2.narrow(2, 0, 40), atol: 0, rtol: 0, what: "outputs before t = 40");
        Assert.True(y.narrow(2, 40, 1).ne(y2.narrow(2, 40, 1)).any().item<bool>(), "output at t = 40 must change");

        using var nonCausal = new EncodecConv1d(Config(causal: false), 1, 3, kernelSize: 7, dilation: 2);
        var d = (nonCausal.call(x) - nonCausal.call(x2)).abs().sum(1).squeeze(0); // (64): which outputs moved
        Assert.True(d[34].item<float>() > 0, "non-causal conv (left pad 6) sees 6 samples ahead");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Conv_transpose_trims_to_frames_times_stride(bool causal)
    {
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        using var up = new EncodecConvTranspose1d(Config(causal), 2, 1, kernelSize: 10, stride: 5);
        var x = torch.randn(1, 2, 7);
        var y = up.call(x);
        Assert.Equal(35, y.shape[2]);
        if (causal)
        {
            // causal trims all padding on the right: changing frame 4 leaves samples before 4*5 untouched
            var x2 = x.clone();
            x2[0, .., 4] = x2[0, .., 4] + 1f;
            TensorAssert.Close(y.narrow(2, 0, 20), up.call(x2).narrow(2, 0, 20), atol: 0, rtol: 0, what: "samples before frame 4");
        }
    }

    [Fact]
    public void Trim_right_ratio_requires_causal()
    {
        var e = Assert.Throws<SmitinException>(() => new EncodecConvTranspose1d(Config(false) with { TrimRightRatio = 0.5 }, 2, 1, 10, 5));
        Assert.Contains("trim_right_ratio", e.Message);
    }

    [Fact]
    public void Unsupported_options_are_refused_by_name()
    {
        Assert.Contains("normalize", Assert.Throws<SmitinException>(() => new EncodecModel(Config(false) with { Normalize = true })).Message);
        Assert.Contains("chunk_length_s", Assert.Throws<SmitinException>(() => new EncodecModel(Config(false) with { ChunkLengthS = 1.0 })).Message);
        Assert.Contains("pad_mode 'zero'", Assert.Throws<SmitinException>(() => new EncodecModel(Config(false) with { PadMode = "zero" })).Message);
        Assert.Contains("norm_type 'spectral_norm'", Assert.Throws<SmitinException>(() => new EncodecModel(Config(false) with { NormType = "spectral_norm" })).Message);
    }
}
