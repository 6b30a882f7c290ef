using System.Text.Json;

namespace Smitin.Models;

/// <summary>Reads typed fields from a config.json section; a missing or ill-typed field names its path.</summary>
internal sealed class ConfigReader(JsonElement element, string file, string path)
{
    public ConfigReader Section(string name) =>
        element.TryGetProperty(name, out var e) && e.ValueKind == JsonValueKind.Object
            ? new ConfigReader(e, file, Join(name))
            : throw Missing(name, "an object");

    public bool Has(string name) => element.TryGetProperty(name, out var e) && e.ValueKind != JsonValueKind.Null;

    public int Int(string name) => Get(name, "an integer", e => e.GetInt32());
    public int Int(string name, int fallback) => Has(name) ? Int(name) : fallback;
    public double Double(string name) => Get(name, "a number", e => e.GetDouble());
    public double Double(string name, double fallback) => Has(name) ? Double(name) : fallback;
    public bool Bool(string name, bool fallback) => Has(name) ? Get(name, "true/false", e => e.GetBoolean()) : fallback;
    public string String(string name) => Get(name, "a string", e => e.GetString()!);
    public string String(string name, string fallback) => Has(name) ? String(name) : fallback;
    public int[] IntArray(string name) => Get(name, "an array of integers", e => e.EnumerateArray().Select(x => x.GetInt32()).ToArray());
    public double[] DoubleArray(string name) => Get(name, "an array of numbers", e => e.EnumerateArray().Select(x => x.GetDouble()).ToArray());

    T Get<T>(string name, string expected, Func<JsonElement, T> read)
    {
        if (!element.TryGetProperty(name, out var e) || e.ValueKind == JsonValueKind.Null) throw Missing(name, expected);
        try { return read(e); }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException)
        {
            throw new SmitinException($"{file}: field '{Join(name)}' is {e.ValueKind} '{e}', expected {expected}");
        }
    }

    string Join(string name) => path.Length == 0 ? name : path + "." + name;
    SmitinException Missing(string name, string expected) => new($"{file}: missing field '{Join(name)}' (expected {expected})");
}
