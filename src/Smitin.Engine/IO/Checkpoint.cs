using System.Text.Json;
using static TorchSharp.torch;

namespace Smitin.IO;

/// <summary>
/// The weights of a Hugging Face model folder: <c>model.safetensors</c>, or shards listed in
/// <c>model.safetensors.index.json</c> (<c>{"weight_map": {key: shard}}</c>). Tensors are read lazily, one at a
/// time. Keeps track of which keys were consumed so the loader can report unexpected tensors.
/// A folder with only pickle weights (<c>pytorch_model.bin</c>) is refused with conversion advice.
/// </summary>
public sealed class Checkpoint : IDisposable
{
    readonly Dictionary<string, SafeTensorsFile> _shards = new(StringComparer.Ordinal);
    readonly Dictionary<string, SafeTensorsFile> _keyToShard = new(StringComparer.Ordinal);
    readonly HashSet<string> _used = new(StringComparer.Ordinal);

    /// <summary>The model folder.</summary>
    public string Folder { get; }
    /// <summary>Every tensor name of every weight file.</summary>
    public IReadOnlyCollection<string> Keys => _keyToShard.Keys;
    /// <summary>Full paths of the weight files read: <c>model.safetensors</c>, or the shards named by the index.</summary>
    public IReadOnlyCollection<string> Files => _shards.Keys;
    /// <summary>Tensor names not read (nor marked used) yet: what no part of the model consumed.</summary>
    public IEnumerable<string> UnusedKeys => _keyToShard.Keys.Where(k => !_used.Contains(k));

    Checkpoint(string folder) => Folder = folder;

    /// <summary>Opens the weight files of a Hugging Face model folder (<c>model.safetensors</c>, or the shards named by
    /// <c>model.safetensors.index.json</c>); memory-mapped, nothing is read yet.</summary>
    /// <exception cref="SmitinException">the folder is missing, holds only pickle weights, or a weight file or the
    /// index
    /// is missing or malformed (the message names the file)</exception>
    public static Checkpoint Open(string folder)
    {
        if (!Directory.Exists(folder)) throw new SmitinException($"model folder not found: {folder}");
        var ck = new Checkpoint(folder);
        string single = System.IO.Path.Combine(folder, "model.safetensors");
        string index = System.IO.Path.Combine(folder, "model.safetensors.index.json");
        try
        {
            if (File.Exists(single))
            {
                ck.AddShard(single);
            }
            else if (File.Exists(index))
            {
                Dictionary<string, string> map;
                try
                {
                    using var doc = JsonDocument.Parse(File.ReadAllBytes(index));
                    map = doc.RootElement.GetProperty("weight_map").EnumerateObject()
                        .ToDictionary(p => p.Name, p => p.Value.GetString() ?? "");
                }
                catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
                {
                    throw new SmitinException($"{index}: malformed index (expected {{\"weight_map\": {{tensor: shard file}}}}): {e.Message}");
                }
                foreach (var shard in map.Values.Distinct())
                {
                    string p = System.IO.Path.Combine(folder, shard);
                    if (!File.Exists(p)) throw new SmitinException($"{index}: shard '{shard}' listed in weight_map is missing");
                    ck.AddShard(p);
                }
                foreach (var (key, shard) in map)
                {
                    var file = ck._shards[System.IO.Path.Combine(folder, shard)];
                    if (!file.Contains(key)) throw new SmitinException($"{index}: tensor '{key}' is mapped to '{shard}' but that shard does not contain it");
                }
            }
            else if (File.Exists(System.IO.Path.Combine(folder, "pytorch_model.bin")) || Directory.GetFiles(folder, "pytorch_model*.bin").Length > 0)
            {
                throw new SmitinException(
                    $"{folder}: only pickle weights (pytorch_model.bin) found. Smitin loads safetensors only, because pickle files can run code. " +
                    "Convert once in Python: `from transformers import MusicgenForConditionalGeneration as M; M.from_pretrained(DIR).save_pretrained(DIR, safe_serialization=True)`.");
            }
            else
            {
                throw new SmitinException($"{folder}: no weights found (expected model.safetensors or model.safetensors.index.json)");
            }
        }
        catch
        {
            ck.Dispose();
            throw;
        }
        return ck;
    }

    void AddShard(string path)
    {
        var file = SafeTensorsFile.Open(path);
        _shards[path] = file;
        foreach (var k in file.Keys) _keyToShard[k] = file;
    }

    /// <summary>True when the checkpoint has a tensor of this name.</summary>
    public bool Contains(string key) => _keyToShard.ContainsKey(key);

    /// <summary>Header of one tensor (dtype, shape).</summary>
    /// <exception cref="SmitinException">no tensor of this name</exception>
    public SafeTensorInfo Info(string key) =>
        _keyToShard.TryGetValue(key, out var f) ? f.Info(key) : throw new SmitinException($"{Folder}: tensor '{key}' missing from the checkpoint");

    /// <summary>Reads a tensor as float32 and marks it consumed.</summary>
    public Tensor ReadFloat32(string key)
    {
        if (!_keyToShard.TryGetValue(key, out var f)) throw new SmitinException($"{Folder}: tensor '{key}' missing from the checkpoint");
        _used.Add(key);
        return f.ReadFloat32(key);
    }

    /// <summary>Marks keys that exist but are deliberately unused (training buffers).</summary>
    public void MarkUsed(string key) { if (_keyToShard.ContainsKey(key)) _used.Add(key); }

    /// <summary>Unmaps every weight file.</summary>
    public void Dispose()
    {
        foreach (var f in _shards.Values) f.Dispose();
        _shards.Clear();
    }
}
