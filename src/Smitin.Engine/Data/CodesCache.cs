using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Smitin.Audio;

namespace Smitin.Data;

/// <summary>Integer codes with their shape, e.g. EnCodec codes (B, K, T). <c>Data</c> is row-major.</summary>
public sealed record EncodedCodes(long[] Data, long[] Shape)
{
    /// <summary>Checks that the shape is non-negative and its product equals the data length.</summary>
    public static EncodedCodes Create(long[] data, long[] shape, string what = "codes")
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(shape);
        long n = 1;
        foreach (var d in shape)
        {
            if (d < 0) throw new SmitinException($"{what}: shape [{string.Join(", ", shape)}] has a negative dimension");
            n *= d;
        }
        if (n != data.Length) throw new SmitinException($"{what}: shape [{string.Join(", ", shape)}] holds {n} values but {data.Length} were given");
        return new EncodedCodes(data, shape);
    }
}

/// <summary>
/// On-disk cache of segment → codes (EnCodec or any other encoder), so probing again does not re-encode.
///
/// Key: SHA-256 over the model id, the sample rate, the channel count, the frame count and the float32 samples
/// (planar, little-endian). A different model id, rate, or any changed sample gives a different entry. Files live
/// under <c>{Directory}/{model-slug}/{key[0..2]}/{key}.codes</c>, written atomically; removing a model's folder clears
/// its entries. A damaged entry is treated as a miss and rewritten (counted in <see cref="Corrupt"/>).
/// Thread-safe: concurrent misses of the same key may encode twice, never write a half file.
/// </summary>
public sealed class CodesCache
{
    static readonly byte[] Magic = "SMCODES1"u8.ToArray();
    int _hits, _misses, _corrupt;

    /// <summary>The cache folder.</summary>
    public string Directory { get; }
    /// <summary>Lookups answered from the cache since this instance was created.</summary>
    public int Hits => _hits;
    /// <summary>Lookups that found no entry.</summary>
    public int Misses => _misses;
    /// <summary>Entries found unreadable (truncated, wrong model); they count as misses and are rewritten.</summary>
    public int Corrupt => _corrupt;

    /// <param name="directory">Cache folder; default <c>CacheDirs.Root/codes</c>.</param>
    public CodesCache(string? directory = null) => Directory = directory ?? Path.Combine(CacheDirs.Root, "codes");

    /// <summary>The content key (64 hex digits) of a clip for a model.</summary>
    public static string Key(string modelId, AudioClip clip)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelId);
        using var h = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        h.AppendData("smitin-codes-v1\0"u8);
        h.AppendData(Encoding.UTF8.GetBytes(modelId));
        Span<byte> header = stackalloc byte[13];
        header[0] = 0;
        BinaryPrimitives.WriteInt32LittleEndian(header[1..], clip.SampleRate);
        BinaryPrimitives.WriteInt32LittleEndian(header[5..], clip.Channels);
        BinaryPrimitives.WriteInt32LittleEndian(header[9..], clip.Frames);
        h.AppendData(header);
        Span<byte> b = stackalloc byte[4];
        foreach (var ch in clip.Samples)
        {
            if (BitConverter.IsLittleEndian) h.AppendData(MemoryMarshal.AsBytes(ch.AsSpan()));
            else foreach (var v in ch) { BinaryPrimitives.WriteSingleLittleEndian(b, v); h.AppendData(b); }
        }
        return Convert.ToHexStringLower(h.GetHashAndReset());
    }

    /// <summary>Where the entry for this model and clip lives (whether or not it exists).</summary>
    public string PathFor(string modelId, AudioClip clip)
    {
        string key = Key(modelId, clip);
        return Path.Combine(Directory, ModelSlug(modelId), key[..2], key + ".codes");
    }

    /// <summary>Looks up the codes of <paramref name="clip"/> encoded by the model
    /// <paramref name="modelId"/>.</summary>
    /// <returns>true with <paramref name="codes"/> set when a valid entry exists</returns>
    public bool TryGet(string modelId, AudioClip clip, out EncodedCodes codes)
    {
        string path = PathFor(modelId, clip);
        codes = null!;
        if (!File.Exists(path)) return false;
        var read = TryRead(path, modelId);
        if (read is null) { Interlocked.Increment(ref _corrupt); return false; }
        codes = read;
        return true;
    }

    /// <summary>Stores the codes of <paramref name="clip"/> for the model <paramref name="modelId"/> (atomic
    /// write).</summary>
    public void Put(string modelId, AudioClip clip, EncodedCodes codes)
    {
        codes = EncodedCodes.Create(codes.Data, codes.Shape);
        AtomicFile.Write(PathFor(modelId, clip), s => Write(s, modelId, codes));
    }

    /// <summary>The cached codes, or <paramref name="encode"/>'s result, stored before it is returned.</summary>
    public EncodedCodes GetOrAdd(string modelId, AudioClip clip, Func<AudioClip, (long[] Data, long[] Shape)> encode)
    {
        if (TryGet(modelId, clip, out var hit)) { Interlocked.Increment(ref _hits); return hit; }
        Interlocked.Increment(ref _misses);
        var (data, shape) = encode(clip);
        var codes = EncodedCodes.Create(data, shape, $"encoder output for model '{modelId}'");
        Put(modelId, clip, codes);
        return codes;
    }

    /// <summary>A readable folder name for a model id plus a short hash, so distinct ids never share a folder.</summary>
    static string ModelSlug(string modelId)
    {
        var sb = new StringBuilder();
        foreach (char c in modelId) sb.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_');
        string slug = sb.Length > 48 ? sb.ToString(0, 48) : sb.ToString();
        string hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(modelId)))[..8];
        return $"{slug}-{hash}";
    }

    // Format: "SMCODES1", int32 id length, id UTF-8, int32 ndim, int64 shape[ndim], int64 count, int64 data[count] (little-endian).
    static void Write(Stream s, string modelId, EncodedCodes codes)
    {
        using var w = new BinaryWriter(s, Encoding.UTF8, leaveOpen: true);
        w.Write(Magic);
        var id = Encoding.UTF8.GetBytes(modelId);
        w.Write(id.Length); w.Write(id);
        w.Write(codes.Shape.Length);
        foreach (var d in codes.Shape) w.Write(d);
        w.Write((long)codes.Data.Length);
        w.Write(MemoryMarshal.AsBytes(codes.Data.AsSpan()));
    }

    static EncodedCodes? TryRead(string path, string modelId)
    {
        try
        {
            using var r = new BinaryReader(File.OpenRead(path));
            long length = r.BaseStream.Length;
            if (!r.ReadBytes(Magic.Length).AsSpan().SequenceEqual(Magic)) return null;
            int idLen = r.ReadInt32();
            if (idLen < 0 || idLen > 4096 || Encoding.UTF8.GetString(r.ReadBytes(idLen)) != modelId) return null;
            int ndim = r.ReadInt32();
            if (ndim is < 0 or > 16) return null;
            var shape = new long[ndim];
            for (int i = 0; i < ndim; i++) shape[i] = r.ReadInt64();
            long count = r.ReadInt64();
            if (count < 0 || count > Array.MaxLength || r.BaseStream.Position + count * 8 != length) return null;
            var data = new long[count];
            r.BaseStream.ReadExactly(MemoryMarshal.AsBytes(data.AsSpan()));
            return EncodedCodes.Create(data, shape);
        }
        catch (Exception e) when (e is IOException or SmitinException or EndOfStreamException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
