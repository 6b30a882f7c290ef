using System.Security.Cryptography;
using System.Text;
using Smitin.IO;

namespace Smitin.Models;

/// <summary>
/// Identity of a checkpoint, for caches and probe sets: SHA-256 over the SHA-256 of every byte of the files the loader
/// reads to build the network, <c>config.json</c> and the weights (<c>model.safetensors</c>, or the shards named by
/// <c>model.safetensors.index.json</c>), with their names. Other files in the folder (a reference tensors file, an
/// exported probe set, a backup, whatever a Python <c>snapshot_download</c> fetched besides) do not change it; any
/// change of a weight byte (a fine-tune) does. File digests come from <see cref="FileDigest"/> (hub blob names, else
/// hashed once per path, size and modification time).
/// </summary>
public static class ModelIdentity
{
    /// <summary>First 16 hex digits of the identity hash.</summary>
    /// <param name="folder">the model folder (its <c>config.json</c> is part of the identity)</param>
    /// <param name="ckpt">the opened checkpoint: its <see cref="Checkpoint.Files"/> are the weight files</param>
    /// <param name="digestCache">digest cache folder; null = the user cache</param>
    public static string Compute(string folder, Checkpoint ckpt, string? digestCache = null) =>
        Compute(folder, ckpt.Files, digestCache);

    /// <summary>Same, from the weight file paths.</summary>
    public static string Compute(string folder, IEnumerable<string> weightFiles, string? digestCache = null)
    {
        var lines = new StringBuilder("smitin-identity-v2\n");
        lines.Append("config.json ").Append(FileDigest.Sha256(Path.Combine(folder, "config.json"), digestCache)).Append('\n');
        foreach (var file in weightFiles.Select(f => (Name: Path.GetRelativePath(folder, f).Replace('\\', '/'), Path: f))
                     .OrderBy(f => f.Name, StringComparer.Ordinal))
            lines.Append(file.Name).Append(' ').Append(FileDigest.Sha256(file.Path, digestCache)).Append('\n');
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(lines.ToString())))[..16];
    }
}
