using Smitin.IO;
using Smitin.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Smitin.Tests.IO;

public sealed class CodesJsonTests : IDisposable
{
    readonly TempDir _dir = new();

    public CodesJsonTests() => Native.TorchRuntime.Ensure();

    public void Dispose() => _dir.Dispose();

    string WriteText(string text)
    {
        string p = _dir.File(Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(p, text);
        return p;
    }

    [Fact]
    public void Round_trip_keeps_shape_and_values()
    {
        using var codes = torch.randint(0, 2048, [2, 8, 13], ScalarType.Int64);
        string p = _dir.File("codes.json");
        CodesJson.Write(p, codes);
        using var back = CodesJson.Read(p, expectedCodebooks: 8, codebookSize: 2048);
        TensorAssert.Equal(codes, back, "codes.json round trip");
        Assert.StartsWith("{\"shape\":[2,8,13],\"codes\":[", File.ReadAllText(p));
    }

    [Fact]
    public void Reads_the_documented_format()
    {
        string p = WriteText("{\"shape\":[1,2,3],\"codes\":[[[0,1,2],[3,4,63]]]}");
        using var t = CodesJson.Read(p, 2, 64);
        Assert.Equal(new long[] { 1, 2, 3 }, t.shape);
        Assert.Equal(new long[] { 0, 1, 2, 3, 4, 63 }, t.data<long>().ToArray());
    }

    [Theory]
    [InlineData("{\"shape\":[1,2,3],\"codes\":[[[0,1,2],[3,4,64]]]}", "codes[0][1][2] = 64 is out of range (expected 0..63)")]
    [InlineData("{\"shape\":[1,2,3],\"codes\":[[[0,-1,2],[3,4,5]]]}", "codes[0][0][1] = -1 is out of range")]
    [InlineData("{\"shape\":[1,2,3],\"codes\":[[[0,1,2],[3,4]]]}", "codes[0][1] has 2 entries, expected 3")]
    [InlineData("{\"shape\":[1,2,3],\"codes\":[[[0,1,2]]]}", "codes[0] has 1 entries, expected 2")]
    [InlineData("{\"shape\":[1,2,3],\"codes\":[[[0,1.5,2],[3,4,5]]]}", "codes[0][0][1] is '1.5', expected an integer code")]
    [InlineData("{\"shape\":[1,2],\"codes\":[[[0,1,2],[3,4,5]]]}", "'shape' missing or not an array of 3 integers")]
    [InlineData("{\"shape\":[1,0,3],\"codes\":[]}", "must hold 3 positive integers")]
    [InlineData("{\"shape\":[1,3,3],\"codes\":[[[0,1,2],[3,4,5],[6,7,8]]]}", "K = 3 codebooks, expected 2")]
    [InlineData("{\"shape\":[1,2,3]}", "field 'codes' missing")]
    [InlineData("[1,2,3]", "expected an object")]
    [InlineData("{\"shape\":[1,2,3],\"codes\":[[[0,1,2],[3,4,5]]", "not valid JSON")]
    public void Malformed_files_give_named_errors(string json, string expected)
    {
        string p = WriteText(json);
        var e = Assert.Throws<SmitinException>(() => CodesJson.Read(p, expectedCodebooks: 2, codebookSize: 64));
        Assert.Contains(expected, e.Message);
        Assert.Contains(p, e.Message);
    }

    [Fact]
    public void Missing_file_is_named()
    {
        var e = Assert.Throws<SmitinException>(() => CodesJson.Read(_dir.File("nope.json")));
        Assert.Contains("nope.json", e.Message);
    }
}
