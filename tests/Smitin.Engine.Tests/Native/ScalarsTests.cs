using Smitin.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace Smitin.Tests.NativeLoading; // not Smitin.Tests.Native: that would shadow Smitin.Native in the other tests

/// <summary>
/// TorchSharp 0.107 frees a <c>Scalar</c> in its finaliser and passes the raw handle to libtorch without keeping the
/// object alive, so a temporary scalar can be freed during the native call (<see cref="Scalars"/>). These tests hold the
/// engine, the trainers and the CLI to the rule (no temporary scalar reaches TorchSharp); the mechanism itself
/// (a temporary freed within seconds under forced collections, a held one never) is shown in the Scalars summary.
/// </summary>
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
        // TemporaryScalarSamples below: each line marked bad is one finding, the Held method none
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
