using Smitin.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace Smitin.IO;

/// <summary>
/// Copies checkpoint tensors into a module's parameters and buffers, key by key, with whisper.cpp-style
/// errors: a missing tensor and a wrong shape name the key and give got/expected shapes.
///
/// Handled on the way:
/// - weight norm stored as <c>weight_g</c>/<c>weight_v</c> or <c>parametrizations.weight.original0/1</c> is folded
///   into a plain <c>weight</c>: w = g * v / ||v||, the norm over every dim except 0;
/// - aliases (e.g. T5's tied <c>encoder.embed_tokens.weight</c> = <c>shared.weight</c>).
/// </summary>
public static class WeightLoader
{
    /// <param name="module">target; its state-dict keys must be named like the checkpoint's (after the prefix)</param>
    /// <param name="ckpt">checkpoint</param>
    /// <param name="prefix">checkpoint key prefix, e.g. <c>"text_encoder."</c></param>
    /// <param name="aliases">module key → alternative checkpoint key (without prefix) used when the direct key is absent</param>
    /// <param name="skip">module keys that are not stored in checkpoints (computed at construction)</param>
    public static void Load(nn.Module module, Checkpoint ckpt, string prefix,
        IReadOnlyDictionary<string, string>? aliases = null, Func<string, bool>? skip = null)
    {
        using var _ = torch.no_grad();
        foreach (var (key, target) in module.state_dict())
        {
            if (skip?.Invoke(key) == true) continue;
            using var scope = torch.NewDisposeScope();
            Tensor source = Fetch(ckpt, prefix, key, target.shape, aliases);
            if (!source.shape.SequenceEqual(target.shape))
                throw new SmitinException($"{ckpt.Folder}: tensor '{prefix}{key}' has wrong shape in checkpoint: got {Shape(source.shape)}, expected {Shape(target.shape)}");
            target.copy_(source);
        }
    }

    static Tensor Fetch(Checkpoint ckpt, string prefix, string key, long[] expected, IReadOnlyDictionary<string, string>? aliases)
    {
        string full = prefix + key;
        if (ckpt.Contains(full)) return ckpt.ReadFloat32(full);
        if (aliases is not null && aliases.TryGetValue(key, out var alias) && ckpt.Contains(prefix + alias))
            return ckpt.ReadFloat32(prefix + alias);

        if (key.EndsWith(".weight", StringComparison.Ordinal))
        {
            string stem = prefix + key[..^".weight".Length];
            (string g, string v)[] layouts =
            [
                ($"{stem}.weight_g", $"{stem}.weight_v"),
                ($"{stem}.parametrizations.weight.original0", $"{stem}.parametrizations.weight.original1"),
            ];
            foreach (var (g, v) in layouts)
            {
                if (!ckpt.Contains(g) && !ckpt.Contains(v)) continue;
                if (!ckpt.Contains(g) || !ckpt.Contains(v))
                    throw new SmitinException($"{ckpt.Folder}: weight norm of '{full}' needs both '{g}' and '{v}'; one is missing");
                return FoldWeightNorm(ckpt.ReadFloat32(g), ckpt.ReadFloat32(v), g);
            }
        }
        throw new SmitinException($"{ckpt.Folder}: tensor '{full}' missing from the checkpoint (expected shape {Shape(expected)})");
    }

    /// <summary>w = g * v / ||v||, with ||v|| over all dims except 0 (g has shape (d0, 1, ..., 1)).</summary>
    public static Tensor FoldWeightNorm(Tensor g, Tensor v, string name = "weight_g")
    {
        long[] dims = Enumerable.Range(1, (int)v.dim() - 1).Select(i => (long)i).ToArray();
        if (g.numel() != v.shape[0])
            throw new SmitinException($"tensor '{name}' has wrong shape: got {Shape(g.shape)}, expected [{v.shape[0]}, 1, ...] to match weight_v {Shape(v.shape)}");
        var norm = dims.Length == 0 ? v.abs() : v.pow(Scalars.Two).sum(dims, keepdim: true).sqrt();
        return v * (g.reshape(norm.shape) / norm);
    }

    /// <summary>A shape as text, e.g. <c>[2048, 1024]</c>.</summary>
    public static string Shape(long[] s) => "[" + string.Join(", ", s) + "]";
}
