using System.IO.MemoryMappedFiles;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace Smitin.IO;

/// <summary>Header entry of one tensor in a safetensors file.</summary>
public sealed record SafeTensorInfo(string Name, string DType, long[] Shape, long Begin, long End)
{
    /// <summary>Number of elements (product of the shape).</summary>
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);
    /// <summary>The shape as text, e.g. <c>[2048, 1024]</c>.</summary>
    public string ShapeText => "[" + string.Join(", ", Shape) + "]";
}

/// <summary>
/// Memory-mapped reader for the safetensors format: u64-LE header length N, N bytes of JSON
/// (<c>{name: {dtype, shape, data_offsets:[begin,end)}}</c>, optional <c>__metadata__</c>), then raw
/// little-endian data. Tensors are read one at a time straight from the map, so a 13 GB checkpoint is never
/// held twice. Every header field is validated before use: a truncated or malformed file gives a
/// <see cref="SmitinException"/> naming the file, never a crash or a huge allocation.
/// </summary>
public sealed class SafeTensorsFile : IDisposable
{
    const long MaxHeaderBytes = 100L << 20; // 100 MB: far above any real header

    readonly MemoryMappedFile _map;
    readonly long _dataStart;
    readonly Dictionary<string, SafeTensorInfo> _tensors;

    /// <summary>The file.</summary>
    public string Path { get; }
    /// <summary>The header's <c>__metadata__</c> (empty when absent).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }
    /// <summary>Every tensor name in the header.</summary>
    public IReadOnlyCollection<string> Keys => _tensors.Keys;

    SafeTensorsFile(string path, MemoryMappedFile map, long dataStart, Dictionary<string, SafeTensorInfo> tensors,
        Dictionary<string, string> metadata)
    {
        Path = path; _map = map; _dataStart = dataStart; _tensors = tensors; Metadata = metadata;
    }

    /// <summary>Opens and validates a safetensors file (header only; data is memory-mapped).</summary>
    /// <exception cref="SmitinException">the file is missing, truncated or its header is malformed (the message names
    /// the
    /// file and the field)</exception>
    public static SafeTensorsFile Open(string path)
    {
        if (!File.Exists(path)) throw new SmitinException($"safetensors file not found: {path}");
        long length;
        byte[] header;
        using (var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read))
        {
            // The stream's length, not FileInfo's: hub-cache snapshots are symlinks and FileInfo reports the link itself.
            length = fs.Length;
            if (length < 8) throw new SmitinException($"{path}: truncated safetensors file ({length} bytes; expected at least an 8-byte header length)");
            Span<byte> lenBytes = stackalloc byte[8];
            fs.ReadExactly(lenBytes);
            ulong n = BitConverter.ToUInt64(lenBytes);
            if (n == 0 || n > (ulong)MaxHeaderBytes || (long)n > length - 8)
                throw new SmitinException($"{path}: malformed safetensors header length {n} (file has {length} bytes; expected 1..{Math.Min(MaxHeaderBytes, length - 8)})");
            header = new byte[n];
            fs.ReadExactly(header);
        }

        long dataStart = 8 + header.Length;
        long dataLength = length - dataStart;
        var tensors = new Dictionary<string, SafeTensorInfo>(StringComparer.Ordinal);
        var metadata = new Dictionary<string, string>();
        try
        {
            using var doc = JsonDocument.Parse(header);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new SmitinException($"{path}: safetensors header is not a JSON object");
            foreach (var prop in doc.RootElement.EnumerateObject())
            {
                if (prop.Name == "__metadata__")
                {
                    foreach (var m in prop.Value.EnumerateObject()) metadata[m.Name] = m.Value.ToString();
                    continue;
                }
                var e = prop.Value;
                string dtype = e.GetProperty("dtype").GetString() ?? "";
                long[] shape = e.GetProperty("shape").EnumerateArray().Select(x => x.GetInt64()).ToArray();
                long[] offs = e.GetProperty("data_offsets").EnumerateArray().Select(x => x.GetInt64()).ToArray();
                if (offs.Length != 2 || offs[0] < 0 || offs[1] < offs[0] || offs[1] > dataLength)
                    throw new SmitinException($"{path}: tensor '{prop.Name}' has data_offsets [{string.Join(", ", offs)}] outside the data section of {dataLength} bytes (file truncated?)");
                if (shape.Any(d => d < 0)) throw new SmitinException($"{path}: tensor '{prop.Name}' has a negative dimension in shape [{string.Join(", ", shape)}]");
                var info = new SafeTensorInfo(prop.Name, dtype, shape, offs[0], offs[1]);
                long expected = checked(info.ElementCount * ElementSize(dtype, path, prop.Name));
                if (expected != offs[1] - offs[0])
                    throw new SmitinException($"{path}: tensor '{prop.Name}' {dtype} {info.ShapeText} needs {expected} bytes, header gives {offs[1] - offs[0]}");
                tensors[prop.Name] = info;
            }
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or OverflowException)
        {
            throw new SmitinException($"{path}: malformed safetensors header: {e.Message}", e);
        }

        var map = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        return new SafeTensorsFile(path, map, dataStart, tensors, metadata);
    }

    /// <summary>True when the file has a tensor of this name.</summary>
    public bool Contains(string name) => _tensors.ContainsKey(name);

    /// <summary>Header of one tensor.</summary>
    /// <exception cref="SmitinException">no tensor of this name (the message names the file)</exception>
    public SafeTensorInfo Info(string name) =>
        _tensors.TryGetValue(name, out var i) ? i : throw new SmitinException($"{Path}: tensor '{name}' not found");

    /// <summary>Reads one tensor into a new CPU tensor of its stored dtype.</summary>
    public Tensor Read(string name)
    {
        var info = Info(name);
        var t = torch.empty(info.Shape, ToScalarType(info.DType, Path, name));
        if (info.End > info.Begin) CopyInto(t, _dataStart + info.Begin, info.End - info.Begin);
        return t;
    }

    /// <summary>
    /// Copies <paramref name="length"/> bytes at file offset <paramref name="offset"/> straight from the mapped file
    /// into the tensor's native memory. (A view stream's <c>Read(Span)</c> goes through a pooled managed array of the
    /// tensor's size that the shared array pool keeps afterwards: ~70 MB of managed heap retained after loading a
    /// codec, and a second copy of every byte.)
    /// </summary>
    unsafe void CopyInto(Tensor t, long offset, long length)
    {
        using var view = _map.CreateViewAccessor(offset, length, MemoryMappedFileAccess.Read);
        var handle = view.SafeMemoryMappedViewHandle;
        byte* source = null;
        handle.AcquirePointer(ref source);
        try
        {
            var target = t.bytes;                                    // the tensor's native memory (CPU, contiguous)
            new ReadOnlySpan<byte>(source + view.PointerOffset, checked((int)length)).CopyTo(target);
        }
        finally { handle.ReleasePointer(); }
    }

    /// <summary>Reads one tensor as float32 (F16/BF16/F64 are converted).</summary>
    public Tensor ReadFloat32(string name)
    {
        var t = Read(name);
        if (t.dtype == ScalarType.Float32) return t;
        using (t) return t.to_type(ScalarType.Float32);
    }

    internal static int ElementSize(string dtype, string path, string name) => dtype switch
    {
        "F64" or "I64" or "U64" => 8,
        "F32" or "I32" or "U32" => 4,
        "F16" or "BF16" or "I16" or "U16" => 2,
        "I8" or "U8" or "BOOL" => 1,
        _ => throw new SmitinException($"{path}: tensor '{name}' has unsupported dtype '{dtype}'"),
    };

    static ScalarType ToScalarType(string dtype, string path, string name) => dtype switch
    {
        "F64" => ScalarType.Float64,
        "F32" => ScalarType.Float32,
        "F16" => ScalarType.Float16,
        "BF16" => ScalarType.BFloat16,
        "I64" => ScalarType.Int64,
        "I32" => ScalarType.Int32,
        "I16" => ScalarType.Int16,
        "I8" => ScalarType.Int8,
        "U8" => ScalarType.Byte,
        "BOOL" => ScalarType.Bool,
        _ => throw new SmitinException($"{path}: tensor '{name}' has unsupported dtype '{dtype}'"),
    };

    /// <summary>Unmaps the file.</summary>
    public void Dispose() => _map.Dispose();
}
