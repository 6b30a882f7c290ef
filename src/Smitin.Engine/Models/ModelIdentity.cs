using System.Security.Cryptography;
using System.Text;
using Smitin.IO;

namespace Smitin.Models;

/// <summary>
/// Identity of a checkpoint: SHA-256 over config.json and every tensor's name, dtype, shape and a sample of its
/// bytes (first/last 4 KB), so two different weight files never share caches or probe sets, without hashing
/// gigabytes at every load.
/// </summary>
public static class ModelIdentity
{
    public static string Compute(string folder, Checkpoint ckpt)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(File.ReadAllBytes(Path.Combine(folder, "config.json")));
        foreach (var key in ckpt.Keys.OrderBy(k => k, StringComparer.Ordinal))
        {
            var info = ckpt.Info(key);
            sha.AppendData(Encoding.UTF8.GetBytes($"{key}|{info.DType}|{info.ShapeText}|{info.End - info.Begin};"));
        }
        foreach (var file in Directory.GetFiles(folder, "*.safetensors").OrderBy(f => f, StringComparer.Ordinal))
        {
            using var fs = File.OpenRead(file);
            var buf = new byte[4096];
            int n = fs.Read(buf);
            sha.AppendData(buf, 0, n);
            if (fs.Length > 8192)
            {
                fs.Seek(-4096, SeekOrigin.End);
                n = fs.Read(buf);
                sha.AppendData(buf, 0, n);
            }
        }
        return Convert.ToHexString(sha.GetHashAndReset())[..16].ToLowerInvariant();
    }
}
