using Smitin.IO;
using Smitin.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Smitin.Tests.IO;

public class SafeTensorsFileTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("smitin-st-").FullName;
    public void Dispose() => Directory.Delete(_dir, true);

    [Fact]
    public void RoundTripsTensorsAndMetadata()
    {
        string p = Path.Combine(_dir, "a.safetensors");
        using var a = torch.arange(12, ScalarType.Float32).reshape(3, 4);
        using var b = torch.tensor(new long[] { 5, -7, 9 });
        SafeTensorsWriter.Write(p, new Dictionary<string, Tensor> { ["a"] = a, ["b.x"] = b }, new Dictionary<string, string> { ["format"] = "pt" });
        using var f = SafeTensorsFile.Open(p);
        Assert.Equal(new[] { "a", "b.x" }, f.Keys.OrderBy(k => k));
        Assert.Equal("pt", f.Metadata["format"]);
        using var ra = f.Read("a");
        using var rb = f.Read("b.x");
        TensorAssert.Equal(a, ra);
        TensorAssert.Equal(b, rb);
        Assert.Equal(ScalarType.Int64, rb.dtype);
    }

    [Fact]
    public void ReadsTheFixtureHeaderLikePython()
    {
        using var f = SafeTensorsFile.Open(Path.Combine(Fixture.Model(), "model.safetensors"));
        Assert.Equal(180, f.Keys.Count);
        Assert.Equal(new long[] { 65, 32 }, f.Info("decoder.model.decoder.embed_tokens.0.weight").Shape);
        Assert.Equal("pt", f.Metadata["format"]);
    }

    [Fact]
    public void TruncatedFileNamesTheTensor()
    {
        string src = Path.Combine(Fixture.Model(), "model.safetensors");
        string p = Path.Combine(_dir, "trunc.safetensors");
        var bytes = File.ReadAllBytes(src);
        File.WriteAllBytes(p, bytes[..(bytes.Length - 1000)]);
        var e = Assert.Throws<SmitinException>(() => SafeTensorsFile.Open(p));
        Assert.Contains("trunc.safetensors", e.Message);
        Assert.Contains("data_offsets", e.Message);
    }

    [Theory]
    [InlineData(new byte[] { 1, 2, 3 })]                                   // shorter than the length field
    [InlineData(new byte[] { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, (byte)'{' })] // absurd header length
    [InlineData(new byte[] { 4, 0, 0, 0, 0, 0, 0, 0, (byte)'{', (byte)'x', (byte)'y', (byte)'}' })] // not JSON
    public void MalformedHeaderIsANamedErrorNotACrash(byte[] content)
    {
        string p = Path.Combine(_dir, "bad.safetensors");
        File.WriteAllBytes(p, content);
        var e = Assert.Throws<SmitinException>(() => SafeTensorsFile.Open(p));
        Assert.Contains("bad.safetensors", e.Message);
    }

    [Fact]
    public void ShapeAndByteCountMismatchIsRefused()
    {
        string p = Path.Combine(_dir, "lie.safetensors");
        string json = "{\"w\":{\"dtype\":\"F32\",\"shape\":[4,4],\"data_offsets\":[0,16]}}";
        var header = System.Text.Encoding.UTF8.GetBytes(json);
        File.WriteAllBytes(p, [.. BitConverter.GetBytes((ulong)header.Length), .. header, .. new byte[16]]);
        var e = Assert.Throws<SmitinException>(() => SafeTensorsFile.Open(p));
        Assert.Contains("'w'", e.Message);
        Assert.Contains("64 bytes", e.Message);
    }
}
