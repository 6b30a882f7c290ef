using Smitin.Models.Decoder;
using Smitin.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Smitin.Tests.Models.Decoder;

public class DecoderLinearTests
{
    public DecoderLinearTests() => Native.TorchRuntime.Ensure();

    public static TheoryData<int, int, string> Cases()
    {
        var data = new TheoryData<int, int, string>();
        foreach (var kernel in new[] { "linear", "wxt", "mv" })
        {
            data.Add(1, 1, kernel);   // one row: the selector's kernel
            data.Add(2, 1, kernel);   // a guided decode step
            data.Add(4, 4, kernel);   // 16 rows: still the selector's
            data.Add(3, 7, kernel);   // 21 rows: libtorch linear
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void EqualsLinearForAnyRowCountLayoutAndKernel(int b, int t, string kernel)
    {
        using var scope = torch.NewDisposeScope();
        using var layer = new DecoderLinear(24, 40);
        layer.Selector = new DecodeKernelSelector([layer.weight], cache: null, "cpu", (_, _) => throw new InvalidOperationException("not timed"),
            name => name == DecodeKernelSelector.EnvironmentVariable ? kernel : null);
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
