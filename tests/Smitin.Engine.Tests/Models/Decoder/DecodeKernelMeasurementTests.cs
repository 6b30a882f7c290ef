using Smitin.Models.Decoder;
using Smitin.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Smitin.Tests.Models.Decoder;

/// <summary>
/// A real (not faked) measurement of the decode kernels on small matrices. Serial: it checks that the measurement
/// leaves torch's global random generator alone, which tests running in parallel would otherwise advance.
/// </summary>
[Collection(SerialCollection.Name)]
public class DecodeKernelMeasurementTests
{
    public DecodeKernelMeasurementTests() => Native.TorchRuntime.Ensure();

    [Fact]
    public void ARealMeasurementTimesEveryCandidateOnTheModelsMatrices()
    {
        using var scope = torch.NewDisposeScope();
        using var dir = new TempDir();
        var weights = new List<Tensor> { torch.randn(96, 48), torch.randn(48, 96), torch.randn(96, 48) };
        torch.manual_seed(7); var expected = torch.randn(4);
        torch.manual_seed(7);
        var selector = new DecodeKernelSelector(weights, new DecodeKernelCache(dir.File("k.json")), "cpu", environment: _ => null, loadAverage: () => null);
        var choice = selector.Resolve(2);
        TensorAssert.Equal(expected, torch.randn(4), "global generator after a measurement");
        Assert.Equal(DecodeKernelReason.Measured, choice.Reason);
        Assert.Equal(DecodeKernels.All.ToHashSet(), choice.Milliseconds.Keys.ToHashSet());
        Assert.All(choice.Milliseconds.Values, ms => Assert.True(ms > 0 && double.IsFinite(ms)));
        Assert.Equal(DecodeKernelSelector.Choose(choice.Milliseconds), choice.Kernel);
        Assert.Contains("3 of 3 matrices", choice.Source);
    }
}
