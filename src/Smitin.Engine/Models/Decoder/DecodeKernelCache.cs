using System.Text.Json;
using System.Text.Json.Nodes;

namespace Smitin.Models.Decoder;

/// <summary>
/// The per-CPU record of measured decode kernels: a JSON file (default <c>CacheDirs.Root/decode-kernels.json</c>)
/// mapping a key (CPU model and flags, threads, libtorch version, dtype, matrix shapes, row bucket) to the chosen
/// kernel and the timings that chose it. Written atomically (<see cref="AtomicFile"/>); a file that cannot be read
/// or parsed counts as empty and is replaced at the next store (the choice is then measured again).
/// </summary>
public sealed class DecodeKernelCache(string path)
{
    /// <summary>The default file under the user cache.</summary>
    public static DecodeKernelCache Default => new(System.IO.Path.Combine(CacheDirs.Root, "decode-kernels.json"));

    /// <summary>The JSON file.</summary>
    public string Path { get; } = path;

    /// <summary>A stored choice: the kernel, its timings (ms) and the sample they were taken on.</summary>
    public sealed record Entry(DecodeKernel Kernel, IReadOnlyDictionary<DecodeKernel, double> Milliseconds, string Sample, int Threads, DateTimeOffset MeasuredAt);

    /// <summary>The stored entry for <paramref name="key"/>, or null (absent, unreadable file, unknown kernel name).</summary>
    public Entry? Find(string key) => ReadAll().TryGetValue(key, out var e) ? e : null;

    /// <summary>Every readable entry (for <c>smitin info</c>).</summary>
    public IReadOnlyDictionary<string, Entry> ReadAll()
    {
        var result = new Dictionary<string, Entry>(StringComparer.Ordinal);
        JsonObject? root;
        try
        {
            if (!File.Exists(Path)) return result;
            root = JsonNode.Parse(File.ReadAllText(Path)) as JsonObject;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException) { return result; }
        if (root?["entries"] is not JsonObject entries) return result;
        foreach (var (key, node) in entries)
        {
            try
            {
                if (node is not JsonObject o) continue;
                var kernel = DecodeKernels.Parse((string?)o["kernel"], Path);
                if (kernel is null) continue;
                var ms = new Dictionary<DecodeKernel, double>();
                if (o["ms"] is JsonObject times)
                    foreach (var (name, value) in times)
                        if (DecodeKernels.Parse(name, Path) is { } k && value is not null) ms[k] = (double)value;
                result[key] = new Entry(kernel.Value, ms, (string?)o["sample"] ?? "", (int?)o["threads"] ?? 0,
                    DateTimeOffset.TryParse((string?)o["measured_at"], out var at) ? at : default);
            }
            catch (Exception e) when (e is SmitinException or InvalidOperationException or FormatException or JsonException) { } // a bad entry is skipped
        }
        return result;
    }

    /// <summary>Adds or replaces <paramref name="key"/>; other entries are kept. Atomic. I/O errors are reported, not thrown
    /// (the cache is an optimisation: the choice stands for this process either way).</summary>
    /// <returns>null, or why the file could not be written</returns>
    public string? Store(string key, Entry entry)
    {
        try
        {
            var all = ReadAll().ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
            all[key] = entry;
            var entries = new JsonObject();
            foreach (var (k, e) in all.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                var ms = new JsonObject();
                foreach (var (kernel, value) in e.Milliseconds.OrderBy(kv => kv.Key)) ms[kernel.Name()] = Math.Round(value, 4);
                entries[k] = new JsonObject
                {
                    ["kernel"] = e.Kernel.Name(), ["ms"] = ms, ["sample"] = e.Sample, ["threads"] = e.Threads,
                    ["measured_at"] = e.MeasuredAt.ToString("O"),
                };
            }
            var root = new JsonObject { ["format"] = "smitin decode kernels v1", ["entries"] = entries };
            AtomicFile.WriteAllText(Path, root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"{Path}: {e.Message}";
        }
    }
}
