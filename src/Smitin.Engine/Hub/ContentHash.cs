using System.Security.Cryptography;
using System.Text;

namespace Smitin.Hub;

/// <summary>
/// Checks a download against the hub's ETag. The hub names every file by a content hash: LFS files (weights,
/// <c>spiece.model</c>) by the SHA-256 of their bytes (64 hex digits), regular git files (JSON configs) by their
/// git blob id, SHA-1 of <c>"blob {size}\0" + bytes</c> (40 hex digits). Other ETag forms (some mirrors) are
/// not checked beyond the size.
/// </summary>
internal sealed class ContentHash : IDisposable
{
    readonly IncrementalHash? _hash;

    /// <summary>The ETag the content must hash to, or null when the ETag is not a recognised hash.</summary>
    public string? Expected { get; }

    /// <summary>"sha256", "git-sha1" or "none".</summary>
    public string Algorithm { get; }

    ContentHash(IncrementalHash? hash, string? expected, string algorithm)
    {
        _hash = hash;
        Expected = expected;
        Algorithm = algorithm;
    }

    /// <summary>A fresh hasher for a file of <paramref name="size"/> bytes whose normalised ETag is <paramref name="etag"/>.</summary>
    public static ContentHash For(string etag, long size)
    {
        if (IsHex(etag, 64))
            return new ContentHash(IncrementalHash.CreateHash(HashAlgorithmName.SHA256), etag.ToLowerInvariant(), "sha256");
        if (IsHex(etag, 40))
        {
            var sha1 = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
            sha1.AppendData(Encoding.ASCII.GetBytes($"blob {size}\0"));
            return new ContentHash(sha1, etag.ToLowerInvariant(), "git-sha1");
        }
        return new ContentHash(null, null, "none");
    }

    public void Append(ReadOnlySpan<byte> data) => _hash?.AppendData(data);

    /// <summary>The lower-case hex digest of everything appended, or null when nothing is checked.</summary>
    public string? Finish() => _hash is null ? null : Convert.ToHexStringLower(_hash.GetHashAndReset());

    public void Dispose() => _hash?.Dispose();

    static bool IsHex(string s, int length) => s.Length == length && s.All(char.IsAsciiHexDigit);
}
