using Smitin.IO;
using static TorchSharp.torch;

namespace Smitin.Tests.Support;

/// <summary>Writable copies of the (read-only) fixture model folder, optionally altered: a weight patched in place
/// (a "fine-tune" of the same shape), tensors dropped, the config edited.</summary>
public static class FixtureCopy
{
    /// <summary>Copies every file of the fixture folder except <paramref name="exclude"/> into <paramref name="dest"/>.</summary>
    public static string Copy(string dest, params string[] exclude)
    {
        Directory.CreateDirectory(dest);
        foreach (var f in Directory.GetFiles(Fixture.Model()))
            if (!exclude.Contains(Path.GetFileName(f)))
                File.Copy(f, Path.Combine(dest, Path.GetFileName(f)), overwrite: true);
        return dest;
    }

    /// <summary>Overwrites element <paramref name="element"/> of the float32 tensor <paramref name="key"/> in
    /// <c>model.safetensors</c>, in place (size unchanged).</summary>
    public static void PatchFloat(string folder, string key, long element, float value)
    {
        string path = Path.Combine(folder, "model.safetensors");
        long offset;
        using (var st = SafeTensorsFile.Open(path))
        {
            var info = st.Info(key);
            Assert.Equal("F32", info.DType);
            Assert.InRange(element, 0, info.ElementCount - 1);
            using var fs = File.OpenRead(path);
            var len = new byte[8];
            fs.ReadExactly(len);
            offset = 8 + (long)BitConverter.ToUInt64(len) + info.Begin + 4 * element;
        }
        using var w = new FileStream(path, FileMode.Open, FileAccess.Write);
        w.Seek(offset, SeekOrigin.Begin);
        w.Write(BitConverter.GetBytes(value));
    }

    /// <summary>Rewrites <c>model.safetensors</c> without the tensors <paramref name="drop"/> selects.</summary>
    public static void DropTensors(string folder, Func<string, bool> drop)
    {
        string path = Path.Combine(folder, "model.safetensors");
        var kept = new Dictionary<string, Tensor>();
        using (var st = SafeTensorsFile.Open(path))
            foreach (var k in st.Keys.Where(k => !drop(k))) kept[k] = st.Read(k);
        SafeTensorsWriter.Write(path, kept);
        foreach (var t in kept.Values) t.Dispose();
    }

    /// <summary>Replaces the top-level JSON field <paramref name="field"/> of <c>config.json</c> (raw JSON value).</summary>
    public static void SetConfigField(string folder, string field, string rawJson)
    {
        string path = Path.Combine(folder, "config.json");
        var node = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        node[field] = System.Text.Json.Nodes.JsonNode.Parse(rawJson);
        File.WriteAllText(path, node.ToJsonString());
    }
}
