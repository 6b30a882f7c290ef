using Smitin.Models;
using Smitin.Models.Decoder;
using Smitin.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Smitin.Tests.Models.Decoder;

/// <summary>
/// The decode kernel is chosen by timing, remembered per CPU, and overridable. The choice logic runs here on fake
/// timings (so the tests do not depend on this machine's CPU); the cache is a temporary file.
/// </summary>
public class DecodeKernelSelectorTests
{
    public DecodeKernelSelectorTests() => Native.TorchRuntime.Ensure();

    static readonly Func<string, string?> NoEnvironment = _ => null;
    static readonly Func<double?> Quiet = () => 0.5;

    /// <summary>Fake timings per kernel (the Intel Xeon of issue 15: linear faster than W·Xᵀ at 2 rows) that count the measurements.</summary>
    sealed class FakeTimer(Dictionary<DecodeKernel, double> ms)
    {
        public int Calls;
        public double Time(DecodeKernel k, int rows) { Calls++; return ms[k] * rows; }
    }

    static List<Tensor> Weights() => [torch.zeros(64, 32), torch.zeros(32, 64)];

    [Fact]
    public void ChoosesTheFastestCandidateAndBreaksTiesByOrder()
    {
        Assert.Equal(DecodeKernel.Linear, DecodeKernelSelector.Choose(new Dictionary<DecodeKernel, double>
        { [DecodeKernel.Linear] = 72, [DecodeKernel.WeightTimesInputT] = 111, [DecodeKernel.RowwiseMatrixVector] = 150 }));
        Assert.Equal(DecodeKernel.WeightTimesInputT, DecodeKernelSelector.Choose(new Dictionary<DecodeKernel, double>
        { [DecodeKernel.Linear] = 312, [DecodeKernel.WeightTimesInputT] = 148, [DecodeKernel.RowwiseMatrixVector] = 160 }));
        Assert.Equal(DecodeKernel.RowwiseMatrixVector, DecodeKernelSelector.Choose(new Dictionary<DecodeKernel, double>
        { [DecodeKernel.Linear] = 31, [DecodeKernel.WeightTimesInputT] = 42, [DecodeKernel.RowwiseMatrixVector] = 14 }));
        Assert.Equal(DecodeKernel.Linear, DecodeKernelSelector.Choose(new Dictionary<DecodeKernel, double>
        { [DecodeKernel.WeightTimesInputT] = 5, [DecodeKernel.Linear] = 5 }));
        Assert.Throws<ArgumentException>(() => DecodeKernelSelector.Choose(new Dictionary<DecodeKernel, double>()));
        Assert.Throws<ArgumentException>(() => DecodeKernelSelector.Choose(new Dictionary<DecodeKernel, double> { [DecodeKernel.Linear] = double.NaN }));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(3, 4)]
    [InlineData(5, 8)]
    [InlineData(9, 16)]
    [InlineData(16, 16)]
    public void RowCountsFallIntoPowerOfTwoBuckets(long rows, int bucket) => Assert.Equal(bucket, DecodeKernelSelector.Bucket(rows));

    [Fact]
    public void MeasuresOncePerBucketAndRemembersTheChoicePerCpu()
    {
        using var dir = new TempDir();
        var cache = new DecodeKernelCache(dir.File("decode-kernels.json"));
        var intel = new Dictionary<DecodeKernel, double> { [DecodeKernel.Linear] = 72, [DecodeKernel.WeightTimesInputT] = 111, [DecodeKernel.RowwiseMatrixVector] = 150 };
        var timer = new FakeTimer(intel);
        var first = new DecodeKernelSelector(Weights(), cache, "Intel Xeon [x64, flags aaaa]", timer.Time, NoEnvironment, Quiet);
        Assert.Equal(DecodeKernel.Linear, first.KernelFor(2));
        Assert.Equal(3, timer.Calls);                                 // three candidates up to 2 rows
        Assert.Equal(DecodeKernel.Linear, first.KernelFor(1));        // bucket 1: measured separately
        Assert.Equal(6, timer.Calls);
        first.KernelFor(2); first.KernelFor(1);
        Assert.Equal(6, timer.Calls);                                 // once per process
        Assert.Equal(DecodeKernel.Linear, first.KernelFor(8));        // bucket 8: mv not a candidate
        Assert.Equal(8, timer.Calls);
        var measured = first.Resolve(2);
        Assert.Equal(DecodeKernelReason.Measured, measured.Reason);
        Assert.Equal(144, measured.Milliseconds[DecodeKernel.Linear]);
        Assert.Contains("linear 144.00 ms", measured.Describe(first.Cpu));

        // a new process on the same CPU model reads the choice instead of timing again
        var again = new FakeTimer(intel);
        var second = new DecodeKernelSelector(Weights(), cache, "Intel Xeon [x64, flags aaaa]", again.Time, NoEnvironment, Quiet);
        var cached = second.Resolve(2);
        Assert.Equal((DecodeKernel.Linear, DecodeKernelReason.Cached), (cached.Kernel, cached.Reason));
        Assert.Equal(0, again.Calls);
        Assert.Equal(144, cached.Milliseconds[DecodeKernel.Linear]);
        Assert.Contains("cached", cached.Describe(second.Cpu));

        // another CPU model (the AMD EPYC, where W·Xᵀ wins) measures its own
        var amd = new FakeTimer(new() { [DecodeKernel.Linear] = 312, [DecodeKernel.WeightTimesInputT] = 148, [DecodeKernel.RowwiseMatrixVector] = 160 });
        var third = new DecodeKernelSelector(Weights(), cache, "AMD EPYC [x64, flags bbbb]", amd.Time, NoEnvironment, Quiet);
        Assert.Equal(DecodeKernel.WeightTimesInputT, third.KernelFor(2));
        Assert.Equal(3, amd.Calls);
        Assert.Equal(DecodeKernel.Linear, new DecodeKernelSelector(Weights(), cache, "Intel Xeon [x64, flags aaaa]", (_, _) => throw new Exception("timed"), NoEnvironment, Quiet).KernelFor(2));

        // other matrix shapes are another key
        var other = new FakeTimer(intel);
        new DecodeKernelSelector([torch.zeros(16, 16)], cache, "Intel Xeon [x64, flags aaaa]", other.Time, NoEnvironment, Quiet).KernelFor(2);
        Assert.Equal(3, other.Calls);
    }

    [Fact]
    public void ABusyMachineMeasuresButDoesNotRemember()
    {
        using var dir = new TempDir();
        var cache = new DecodeKernelCache(dir.File("decode-kernels.json"));
        var timings = new Dictionary<DecodeKernel, double> { [DecodeKernel.Linear] = 2, [DecodeKernel.WeightTimesInputT] = 1, [DecodeKernel.RowwiseMatrixVector] = 3 };
        var busy = new DecodeKernelSelector(Weights(), cache, "cpu", new FakeTimer(timings).Time, NoEnvironment, () => 1.5 * Environment.ProcessorCount + 1);
        var choice = busy.Resolve(2);
        Assert.Equal((DecodeKernel.WeightTimesInputT, DecodeKernelReason.Measured), (choice.Kernel, choice.Reason));
        Assert.Contains("not cached: load average", choice.Describe("cpu"));
        Assert.False(File.Exists(cache.Path));
        Assert.True(DecodeKernelSelector.IsQuiet(null, 2));
        Assert.True(DecodeKernelSelector.IsQuiet(3.0, 2));
        Assert.False(DecodeKernelSelector.IsQuiet(3.1, 2));
    }

    [Fact]
    public void AnUnreadableCacheFileIsMeasuredAgainAndReplaced()
    {
        using var dir = new TempDir();
        var cache = new DecodeKernelCache(dir.File("decode-kernels.json"));
        File.WriteAllText(cache.Path, "{ not json");
        var timer = new FakeTimer(new() { [DecodeKernel.Linear] = 2, [DecodeKernel.WeightTimesInputT] = 1, [DecodeKernel.RowwiseMatrixVector] = 3 });
        var selector = new DecodeKernelSelector(Weights(), cache, "cpu", timer.Time, NoEnvironment, Quiet);
        Assert.Equal(DecodeKernel.WeightTimesInputT, selector.KernelFor(2));
        Assert.Equal(3, timer.Calls);
        var stored = Assert.Single(cache.ReadAll());
        Assert.Equal(DecodeKernel.WeightTimesInputT, stored.Value.Kernel);
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp"));                      // written through a temp file, renamed
        // an entry naming an unknown kernel is ignored, not fatal
        File.WriteAllText(cache.Path, File.ReadAllText(cache.Path).Replace("\"kernel\": \"wxt\"", "\"kernel\": \"amx\""));
        Assert.Empty(cache.ReadAll());
    }

    [Fact]
    public void AnOverrideWinsWithoutMeasuring()
    {
        using var dir = new TempDir();
        var cache = new DecodeKernelCache(dir.File("decode-kernels.json"));
        var timer = new FakeTimer(new() { [DecodeKernel.Linear] = 1, [DecodeKernel.WeightTimesInputT] = 2, [DecodeKernel.RowwiseMatrixVector] = 3 });
        var env = new DecodeKernelSelector(Weights(), cache, "cpu", timer.Time, name => name == "SMITIN_DECODE_KERNEL" ? " WXT " : null, Quiet);
        var choice = env.Resolve(2);
        Assert.Equal((DecodeKernel.WeightTimesInputT, DecodeKernelReason.Override), (choice.Kernel, choice.Reason));
        Assert.Contains("override by SMITIN_DECODE_KERNEL=WXT", choice.Describe("cpu"));
        Assert.Equal(DecodeKernel.WeightTimesInputT, env.KernelFor(16));
        Assert.Equal(0, timer.Calls);
        Assert.False(File.Exists(cache.Path));

        // a load option replaces the environment's; back to measurement with null
        env.SetOverride(DecodeKernel.RowwiseMatrixVector, "load option decode-kernel=mv");
        Assert.Equal(DecodeKernel.RowwiseMatrixVector, env.KernelFor(2));
        env.SetOverride(null, "");
        Assert.Equal(DecodeKernel.Linear, env.KernelFor(2));
        Assert.Equal(3, timer.Calls);

        // "auto" is no override; an unknown name is refused, naming the variable and the accepted values
        Assert.Null(new DecodeKernelSelector(Weights(), cache, "cpu", timer.Time, _ => "auto", Quiet).Override);
        var e = Assert.Throws<SmitinException>(() => new DecodeKernelSelector(Weights(), cache, "cpu", timer.Time, _ => "fastest", Quiet));
        Assert.Contains("SMITIN_DECODE_KERNEL", e.Message);
        Assert.Contains("linear, wxt or mv", e.Message);
        var o = Assert.Throws<OptionException>(() => new MusicGenLoadOptions { DecodeKernel = "amx" }.Validate());
        Assert.Equal("decode-kernel", o.Option);
    }

    [Fact]
    public void TheLoadLogAndModelSummarySayWhichKernelAndWhy()
    {
        var log = new List<string>();
        using (var forced = MusicGen.Load(Fixture.Model(), new MusicGenLoadOptions { DecodeKernel = "wxt", Log = log.Add }))
        {
            Assert.Contains(log, l => l.Contains("decode kernel for ≤ 2 rows: wxt (override by load option decode-kernel=wxt; not measured)"));
            Assert.Equal(DecodeKernel.WeightTimesInputT, forced.Decoder.DecodeKernels.KernelFor(2));
            Assert.Equal(DecodeKernel.WeightTimesInputT, forced.Decoder.DecodeKernels.KernelFor(9));
            Assert.Contains(forced.DecodeKernelSummary(), l => l.StartsWith("decode kernel for ≤ 2 rows: wxt (override", StringComparison.Ordinal));
        }
        log.Clear();
        using var auto = MusicGen.Load(Fixture.Model(), new MusicGenLoadOptions { Log = log.Add });
        var choice = auto.Decoder.DecodeKernels.Resolve(2);
        Assert.Contains(log, l => l.Contains($"decode kernel for ≤ 2 rows: {choice.Kernel.Name()} ("));
        if (Environment.GetEnvironmentVariable(DecodeKernelSelector.EnvironmentVariable) is null)
            Assert.NotEqual(DecodeKernelReason.Override, choice.Reason);
        var e = Assert.Throws<OptionException>(() => MusicGen.Load(Fixture.Model(), new MusicGenLoadOptions { DecodeKernel = "fast", Log = _ => { } }));
        Assert.Contains("expected auto, linear, wxt or mv", e.Message);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(5)]
    [InlineData(16)]
    public void EveryKernelComputesTheSameProduct(int rows)
    {
        using var scope = torch.NewDisposeScope();
        var w = torch.randn(40, 24);
        var x = torch.randn(24, rows).t();                                               // non-contiguous (rows, in)
        var expected = nn.functional.linear(x, w);
        foreach (var k in DecodeKernels.All)
        {
            var y = DecodeKernels.Multiply(k, w, x);
            Assert.Equal(new long[] { rows, 40 }, y.shape);
            Assert.True(y.is_contiguous(), k.Name());
            TensorAssert.Close(expected, y, atol: 1e-5, rtol: 1e-5, what: k.Name());
        }
    }
}
