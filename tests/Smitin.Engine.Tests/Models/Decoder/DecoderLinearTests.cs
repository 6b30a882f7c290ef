using Smitin.Models.Decoder;
using Smitin.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Smitin.Tests.Models.Decoder;

public class DecoderLinearTests
{
    public DecoderLinearTests() => Native.TorchRuntime.Ensure();

    [Theory]
    [InlineData(1, 1)]      // one row: streaming path
    [InlineData(2, 1)]      // a guided decode step
    [InlineData(4, 4)]      // 16 rows: still streaming
    [InlineData(3, 7)]      // 21 rows: libtorch linear
    public void EqualsLinearForAnyRowCountAndLayout(int b, int t)
    {
        using var scope = torch.NewDisposeScope();
        using var layer = new DecoderLinear(24, 40);
        var x = torch.randn(b, t, 24);
        var expected = nn.functional.linear(x, layer.weight);
        var y = layer.call(x);
        Assert.Equal(new long[] { b, t, 40 }, y.shape);
        Assert.True(y.is_contiguous());
        TensorAssert.Close(expected, y, atol: 1e-5, rtol: 1e-5, what: "DecoderLinear");
        var strided = torch.randn(24, t, b).permute(2, 1, 0);                          // a non-contiguous input
        TensorAssert.Close(nn.functional.linear(strided, layer.weight), layer.call(strided), atol: 1e-5, rtol: 1e-5, what: "DecoderLinear (strided input)");
        Assert.Equal(["weight"], layer.state_dict().Keys);
    }
}
