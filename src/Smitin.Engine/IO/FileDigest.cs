using System.Security.Cryptography;
using System.Text;

namespace Smitin.IO;

/// <summary>
/// SHA-256 of a whole file, cheap after the first time: a file in a Hugging Face hub snapshot is a symlink to
/// <c>blobs/&lt;sha256&gt;</c> (for LFS files, i.e. the weights, the blob name is the SHA-256 of its content: both
/// <c>huggingface_hub</c> and Smitin's downloader verify it), so its name is the digest; any other file is hashed
/// once and the digest cached in the user cache (<see cref="CacheDirs.Root"/>/digests), keyed by the full path, size
/// and modification time, so a changed file is hashed again.
/// </summary>
public static class FileDigest
{
    /// <summary>Lower-case hex SHA-256 of every byte of <paramref name="path"/>.</summary>
    /// <param name="path">a file, or a symlink to one</param>
    /// <param name="cacheDir">where digests are cached; null = <see cref="CacheDirs.Root"/>/digests</param>
    /// <exception cref="FileNotFoundException">the file does not exist</exception>
    public static string Sha256(string path, string? cacheDir = null)
    {
        string full = Path.GetFullPath(path);
        var link = new FileInfo(full);
        var target = link.LinkTarget is null ? link : link.ResolveLinkTarget(returnFinalTarget: true) as FileInfo ?? link;
        if (!target.Exists) throw new FileNotFoundException($"{full}: file not found", full);
        if (!ReferenceEquals(target, link) && target.Directory?.Name == "blobs" && IsSha256(target.Name))
            return target.Name;                                                          // hub blob: the name is the digest

        string key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
            $"smitin-digest-v1|{target.FullName}|{target.Length}|{target.LastWriteTimeUtc.Ticks}")));
        string entry = Path.Combine(cacheDir ?? Path.Combine(CacheDirs.Root, "digests"), key[..2], key);
        try
        {
            if (File.Exists(entry) && File.ReadAllText(entry).Trim() is var cached && IsSha256(cached)) return cached;
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }

        string digest;
        using (var stream = new FileStream(target.FullName, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20))
            digest = Convert.ToHexStringLower(SHA256.HashData(stream));
        try { AtomicFile.WriteAllText(entry, digest); }
        catch (IOException) { }                                                          // a read-only cache only costs time
        catch (UnauthorizedAccessException) { }
        return digest;
    }

    /// <summary>64 lower-case hex digits.</summary>
    public static bool IsSha256(string text) => text.Length == 64 && text.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f');
}
