using System.Text.Json;

namespace Smitin.Hub;

/// <summary>
/// Which files of a repository make a MusicGen model folder, and when a cached snapshot is complete.
/// Fetched: <c>config.json</c>; the weights as <c>model.safetensors</c>, or <c>model.safetensors.index.json</c> plus
/// every shard its <c>weight_map</c> names; and, when the repository has them, <c>generation_config.json</c>,
/// <c>preprocessor_config.json</c> and the tokenizer files. Never pickle weights (<c>*.bin</c>, <c>*.pt</c>...),
/// READMEs or other frameworks' weights.
/// </summary>
internal static class ModelFiles
{
    public const string Config = "config.json";
    public const string Weights = "model.safetensors";
    public const string WeightsIndex = "model.safetensors.index.json";

    /// <summary>Fetched when present; a repository without them is fine.</summary>
    public static readonly IReadOnlyList<string> Optional =
    [
        "generation_config.json", "preprocessor_config.json",
        "spiece.model", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json",
    ];

    /// <summary>A T5 tokenizer comes as a SentencePiece model, a tokenizers JSON file, or both.</summary>
    static readonly string[] Tokenizers = ["spiece.model", "tokenizer.json"];

    static readonly string[] PickleSuffixes = [".bin", ".pt", ".pth", ".ckpt", ".pkl"];

    /// <summary>How the weights are stored: one file, or an index plus shards.</summary>
    public enum WeightsLayout { Single, Sharded }

    /// <summary>
    /// Picks the weights layout from the repository's file list. Refuses a repository whose only weights are
    /// pickles (unpickling runs arbitrary code) and explains the conversion.
    /// </summary>
    public static WeightsLayout ChooseWeights(HubRepoId repo, string revision, IReadOnlyCollection<string> files)
    {
        if (!files.Contains(Config))
            throw new HubException(HubErrorKind.Unsupported,
                $"{repo}@{revision} has no {Config}, so it is not a Hugging Face transformers model; Smitin needs a MusicGen repository " +
                "laid out like facebook/musicgen-small.");
        if (files.Contains(Weights)) return WeightsLayout.Single;
        if (files.Contains(WeightsIndex)) return WeightsLayout.Sharded;

        var pickles = files.Where(f => PickleSuffixes.Any(s => f.EndsWith(s, StringComparison.OrdinalIgnoreCase))).ToList();
        if (pickles.Count > 0)
            throw new HubException(HubErrorKind.Unsupported,
                $"{repo}@{revision} offers its weights only as PyTorch pickle files ({string.Join(", ", pickles.Take(4))}); Smitin loads " +
                "safetensors only, because unpickling can run arbitrary code. Convert once with Python: " +
                $"`from transformers import AutoProcessor, MusicgenForConditionalGeneration as M; M.from_pretrained('{repo}').save_pretrained('DIR', safe_serialization=True); " +
                $"AutoProcessor.from_pretrained('{repo}').save_pretrained('DIR')` and pass that folder instead of the hub id. " +
                "Or look for a pull request revision with safetensors (the hub's conversion bot opens them) and pass it, e.g. @refs/pr/1.");
        throw new HubException(HubErrorKind.Unsupported,
            $"{repo}@{revision} has no {Weights} or {WeightsIndex}; Smitin needs safetensors weights.");
    }

    /// <summary>The shard files named by an index's <c>weight_map</c>, in first-use order, checked to be safe relative paths.</summary>
    public static IReadOnlyList<string> ReadShards(string indexPath)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(indexPath));
            if (!doc.RootElement.TryGetProperty("weight_map", out var map) || map.ValueKind != JsonValueKind.Object)
                throw new HubException(HubErrorKind.Protocol, $"{indexPath} has no \"weight_map\" object; expected a safetensors index");
            var shards = new List<string>();
            foreach (var entry in map.EnumerateObject())
            {
                string shard = entry.Value.GetString() ?? "";
                HubCache.LocalRelative(shard); // throws on unsafe names
                if (!shards.Contains(shard)) shards.Add(shard);
            }
            if (shards.Count == 0) throw new HubException(HubErrorKind.Protocol, $"{indexPath} names no shard files in \"weight_map\"");
            return shards;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new HubException(HubErrorKind.Protocol, $"{indexPath} is not a valid safetensors index ({e.Message})", e);
        }
    }

    /// <summary>
    /// What a cached snapshot lacks to be loadable: <c>config.json</c>, the complete safetensors weights, and a
    /// tokenizer (unless the cache recorded both tokenizer files as absent from the repository). Empty = usable.
    /// </summary>
    public static IReadOnlyList<string> MissingFromSnapshot(HubCache cache, HubRepoId repo, string commit)
    {
        var missing = new List<string>();
        string dir = cache.SnapshotDir(repo, commit);
        bool Has(string f) => HubCache.IsAvailable(Path.Combine(dir, HubCache.LocalRelative(f)));

        if (!Has(Config)) missing.Add(Config);
        if (!Has(Weights))
        {
            if (Has(WeightsIndex)) missing.AddRange(ReadShards(Path.Combine(dir, WeightsIndex)).Where(s => !Has(s)));
            else missing.Add($"{Weights} (or {WeightsIndex} and its shards)");
        }
        bool tokenizerKnownAbsent = Tokenizers.All(t => cache.IsRecordedMissing(repo, commit, t));
        if (!Tokenizers.Any(Has) && !tokenizerKnownAbsent) missing.Add(string.Join(" or ", Tokenizers));
        return missing;
    }
}
