using Smitin.IO;
using Smitin.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace Smitin.Tests.Support;

/// <summary>
/// Locates ../shared/fixtures (or $SMITIN_FIXTURES) and reads the reference tensors of a fixture.
/// The fixture folder is read-only: tests never write next to it.
/// </summary>
public static class Fixture
{
    public const string TinyMono = "musicgen-tiny-mono";

    public static string Root
    {
        get
        {
            string? env = Environment.GetEnvironmentVariable("SMITIN_FIXTURES");
            if (!string.IsNullOrEmpty(env)) return env;
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "shared", "fixtures");
                if (Directory.Exists(candidate)) return candidate;
                candidate = Path.Combine(dir.FullName, "..", "shared", "fixtures");
                if (Directory.Exists(candidate)) return Path.GetFullPath(candidate);
            }
            throw new DirectoryNotFoundException("shared/fixtures not found above " + AppContext.BaseDirectory + " (set SMITIN_FIXTURES)");
        }
    }

    public static string Model(string name = TinyMono) => Path.Combine(Root, name);

    /// <summary>Opens the fixture's reference.safetensors (dispose after use).</summary>
    public static SafeTensorsFile Reference(string name = TinyMono) =>
        SafeTensorsFile.Open(Path.Combine(Model(name), "reference.safetensors"));
}

/// <summary>Tolerance checks that report where and by how much a tensor differs.</summary>
public static class TensorAssert
{
    /// <summary>|actual - expected| &lt;= atol + rtol * |expected| elementwise (numpy.allclose semantics).</summary>
    public static void Close(Tensor expected, Tensor actual, double atol = 1e-4, double rtol = 1e-4, string what = "tensor")
    {
        Assert.True(expected.shape.SequenceEqual(actual.shape),
            $"{what}: shape {WeightLoader.Shape(actual.shape)}, expected {WeightLoader.Shape(expected.shape)}");
        using var e = expected.to_type(ScalarType.Float64).cpu();
        using var a = actual.to_type(ScalarType.Float64).cpu();
        using var diff = (a - e).abs();
        using var rtolScalar = rtol.ToScalar();                              // held: see Smitin.Native.Scalars
        using var atolScalar = atol.ToScalar();
        using var bound = e.abs().mul(rtolScalar).add(atolScalar, Scalars.One);
        using var bad = diff > bound;
        long nBad = bad.sum().item<long>();
        if (nBad > 0)
        {
            double maxDiff = diff.max().item<double>();
            long at = diff.argmax().item<long>();
            Assert.Fail($"{what}: {nBad} of {e.numel()} elements outside atol {atol} + rtol {rtol}; max |diff| {maxDiff:E3} at flat index {at}");
        }
    }

    /// <summary>Integer tensors equal exactly.</summary>
    public static void Equal(Tensor expected, Tensor actual, string what = "tensor")
    {
        Assert.True(expected.shape.SequenceEqual(actual.shape),
            $"{what}: shape {WeightLoader.Shape(actual.shape)}, expected {WeightLoader.Shape(expected.shape)}");
        using var e = expected.to_type(ScalarType.Int64).cpu();
        using var a = actual.to_type(ScalarType.Int64).cpu();
        using var ne = e.ne(a);
        long nBad = ne.sum().item<long>();
        Assert.True(nBad == 0, $"{what}: {nBad} of {e.numel()} elements differ (first at flat index {(nBad > 0 ? ne.flatten().nonzero()[0].item<long>() : -1)})");
    }
}
