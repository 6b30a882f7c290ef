using System.Runtime.InteropServices;
using Smitin.Models;
using Smitin.Models.Codec;
using Smitin.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace Smitin.Tests.NativeLoading; // not Smitin.Tests.Native: that would shadow Smitin.Native in the other tests

/// <summary>
/// TorchSharp 0.107 frees a <c>Scalar</c> in its finaliser and passes the raw handle to libtorch without keeping the
/// object alive, so a temporary scalar can be freed during the native call (<see cref="Scalars"/>). These tests hold the
/// engine, the trainers and the CLI to the rule (no temporary scalar reaches TorchSharp) and run a fixed path under\n/// forced collections.
/// </summary>
[Collection(SerialCollection.Name)]
public class ScalarsTests
{
    static readonly string Bin = AppContext.BaseDirectory;
    static readonly Lazy<ScalarCallSites> Sites = new(() => new ScalarCallSites(Path.Combine(Bin, "TorchSharp.dll")));

    [Theory]
    [InlineData("Smitin.Engine.dll")]
    [InlineData("Smitin.Training.dll")]
    [InlineData("smitin.dll")]
    public void No_call_site_hands_TorchSharp_a_temporary_scalar(string assembly)
    {
        var violations = Sites.Value.Violations(Path.Combine(Bin, assembly));
        Assert.True(violations.Count == 0,
            $"{assembly}: {violations.Count} call site(s) pass a temporary TorchSharp Scalar, which the garbage collector may free " +
            "during the native call (see src/Smitin.Engine/Native/Scalars.cs for the rule):\n" + string.Join("\n", violations));
    }

    [Fact]
    public void The_scan_finds_every_kind_of_temporary_scalar_and_accepts_held_ones()
    {
        // TemporaryScalarSamples below: each Bad_* line one finding, the Held method none
        var found = Sites.Value.Violations(typeof(ScalarsTests).Assembly.Location)
            .Where(v => v.Contains("ScalarsTests/TemporaryScalarSamples.", StringComparison.Ordinal)).ToList();
        Assert.Contains(found, v => v.Contains("implicit conversion to Scalar", StringComparison.Ordinal));
        Assert.Contains(found, v => v.Contains("ToScalar() passed on without being held", StringComparison.Ordinal));
        Assert.Contains(found, v => v.Contains("op_Addition(torch/Tensor,torch/Tensor)", StringComparison.Ordinal));
        Assert.Contains(found, v => v.Contains("op_Multiply(torch/Tensor,Double)", StringComparison.Ordinal));
        Assert.Contains(found, v => v.Contains("square()", StringComparison.Ordinal));
        Assert.Contains(found, v => v.Contains("creates TorchSharp.Modules.ELU", StringComparison.Ordinal));
        Assert.Equal(TemporaryScalarSamples.BadSites, found.Count);
    }

    /// <summary>
    /// The regression the rule fixes: an EnCodec residual block (ELU, conv, ELU, conv, residual sum: seven scalars per
    /// call before, TorchSharp's <c>nn.ELU</c> and <c>Tensor + Tensor</c>) gives the same output on every call while another
    /// thread forces collections. With the temporaries (before <see cref="Scalars"/>) this failed within about 2 s
    /// ("Expected false to be true ... toFloat", or a wrong value), as the parallel test run did one run in two.
    /// In the serial collection: the forced collections would otherwise press on the other tests.
    /// </summary>
    [Fact]
    public void Encodec_residual_block_is_exact_under_forced_collections()
    {
        TorchRuntime.Ensure();
        var config = MusicGenConfig.Load(Fixture.Model()).AudioEncoder;
        using var block = new EncodecResnetBlock(config, 4, 1);
        using var x = torch.randn(1, 4, 32, generator: new Generator(7));             // (B, C, T)
        using var expected = block.call(x);                                            // (B, C, T)
        Assert.True(expected.isfinite().all().item<bool>());
        var (failures, calls, first) = UnderGcPressure(TimeSpan.FromSeconds(6), () => block.call(x), expected);
        Assert.True(failures == 0, $"{failures} of {calls} calls under forced collections failed or differed; first: {first}");
        Assert.True(calls > 2000, $"only {calls} calls in 6 s: too few to exercise the collections");
    }

    /// <summary>Calls <paramref name="op"/> until <paramref name="duration"/> has passed, comparing with
    /// <paramref name="expected"/>, while a second thread allocates scalars (to refill freed native memory) and forces
    /// full collections with finalisers.</summary>
    static (int Failures, long Calls, string? First) UnderGcPressure(TimeSpan duration, Func<Tensor> op, Tensor expected)
    {
        bool done = false;
        var pressure = new Thread(() =>
        {
            while (!Volatile.Read(ref done))
            {
                for (int i = 0; i < 50; i++) GC.KeepAlive(i % 2 == 0 ? true.ToScalar() : ((long)i).ToScalar());
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }
        }) { IsBackground = true };
        pressure.Start();
        int failures = 0;
        long calls = 0;
        string? first = null;
        var stop = DateTime.UtcNow + duration;
        try
        {
            while (DateTime.UtcNow < stop)
            {
                using var scope = torch.NewDisposeScope();
                for (int i = 0; i < 50; i++, calls++)
                {
                    try
                    {
                        if (!op().Equals(expected)) { failures++; first ??= "a different output"; }
                    }
                    catch (ExternalException e) { failures++; first ??= e.Message.Split('\n')[0]; }
                }
            }
        }
        finally
        {
            Volatile.Write(ref done, true);
            pressure.Join();
        }
        return (failures, calls, first);
    }

    /// <summary>Never run: compiled samples for the scan. Each line marked "bad" is one finding.</summary>
    static class TemporaryScalarSamples
    {
        public const int BadSites = 6;
        static readonly Scalar HeldTwo = 2.0.ToScalar();

        public static Tensor Bad(Tensor a, Tensor b)
        {
            var c = a.mul(2.0);                  // bad: implicit conversion
            var d = a.mul(2.0.ToScalar());       // bad: ToScalar not held
            var e = a + b;                       // bad: alpha 1 inside TorchSharp
            var f = a * 2.0;                     // bad: operator with a number
            var g = a.square();                  // bad: pow(2) inside TorchSharp
            var elu = nn.ELU();                  // bad: ELU.forward passes temporaries
            return c.add(d, Scalars.One).add(e, Scalars.One).add(f, Scalars.One).add(g, Scalars.One).add(elu.call(a), Scalars.One);
        }

        public static Tensor Held(Tensor a, double v)
        {
            using var s = v.ToScalar();
            return a.mul(s).pow(HeldTwo).add(a, Scalars.One) - a;
        }
    }
}
