using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Smitin.Audio;
using Smitin.Data;

namespace Smitin.Probing;

/// <summary>
/// On-disk cache of captured head activations: one file per segment with z (L, H, D) float32 at the probe position.
/// Key: SHA-256 over a version tag, the model identity, the capture settings (position, conditioning) and the
/// segment's audio content (rate, channels, samples, via <see cref="CodesCache.Key"/>), so any change to the model or
/// the audio is a different entry. Files live under <c>{Directory}/{identity}/{key[0..2]}/{key}.z</c> and are written
/// atomically; a damaged or mismatched file is a miss and gets rewritten.
/// </summary>
public sealed class ActivationCache
{
    static readonly byte[] Magic = "SMZACT01"u8.ToArray();
    int _hits, _misses;

    /// <summary>The cache folder.</summary>
    public string Directory { get; }
    /// <summary>Lookups answered from the cache since this instance was created.</summary>
    public int Hits => _hits;
    /// <summary>Lookups that found no valid entry.</summary>
    public int Misses => _misses;

    /// <param name="directory">default <c>CacheDirs.Root/activations</c></param>
    public ActivationCache(string? directory = null) => Directory = directory ?? Path.Combine(CacheDirs.Root, "activations");

    /// <summary>Cache file of the activations of <paramref name="clip"/> under a model and capture settings.</summary>
    /// <param name="modelIdentity"><see cref="Models.MusicGen.Identity"/></param>
    /// <param name="settings">the capture definition (position, conditioning, pattern): a change invalidates
    /// entries</param>
    /// <param name="clip">the segment</param>
    public string PathFor(string modelIdentity, string settings, AudioClip clip)
    {
        string content = CodesCache.Key(modelIdentity, clip);
        string key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"smitin-z-v1|{modelIdentity}|{settings}|{content}")));
        string folder = new string(modelIdentity.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_').Take(64).ToArray());
        return Path.Combine(Directory, folder, key[..2], key + ".z");
    }

    /// <summary>Reads z (length L*H*D) into <paramref name="dest"/>; false when absent or unreadable.</summary>
    public bool TryGet(string path, int layers, int heads, int headDim, Span<float> dest)
    {
        try
        {
            if (!File.Exists(path)) { Interlocked.Increment(ref _misses); return false; }
            var bytes = File.ReadAllBytes(path);
            int header = Magic.Length + 12, count = layers * heads * headDim;
            if (bytes.Length != header + 4 * count || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic) ||
                BitConverter.ToInt32(bytes, Magic.Length) != layers || BitConverter.ToInt32(bytes, Magic.Length + 4) != heads ||
                BitConverter.ToInt32(bytes, Magic.Length + 8) != headDim)
            {
                Interlocked.Increment(ref _misses);
                return false;
            }
            MemoryMarshal.Cast<byte, float>(bytes.AsSpan(header)).CopyTo(dest);
            Interlocked.Increment(ref _hits);
            return true;
        }
        catch (IOException)
        {
            Interlocked.Increment(ref _misses);
            return false;
        }
    }

    /// <summary>Stores one segment's activations (atomic write).</summary>
    /// <param name="path">from <see cref="PathFor"/></param>
    /// <param name="layers">L</param><param name="heads">H</param><param name="headDim">D</param>
    /// <param name="z">(L, H, D) activations</param>
    public void Put(string path, int layers, int heads, int headDim, ReadOnlySpan<float> z)
    {
        var data = MemoryMarshal.AsBytes(z).ToArray();
        AtomicFile.Write(path, s =>
        {
            s.Write(Magic);
            s.Write(BitConverter.GetBytes(layers));
            s.Write(BitConverter.GetBytes(heads));
            s.Write(BitConverter.GetBytes(headDim));
            s.Write(data);
        });
    }
}
