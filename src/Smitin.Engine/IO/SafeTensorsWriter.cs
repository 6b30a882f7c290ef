using System.Text;
using System.Text.Json;
using static TorchSharp.torch;

namespace Smitin.IO;

/// <summary>
/// Writes tensors in the safetensors format (header sorted by name, padded with spaces to 8 bytes),
/// atomically through <see cref="AtomicFile"/>. Readable by Python's safetensors.
/// </summary>
public static class SafeTensorsWriter
{
    /// <summary>Writes <paramref name="tensors"/> (copied to the CPU; F32, F16, BF16, I64, I32, U8, BOOL) and
    /// <paramref name="metadata"/> to <paramref name="path"/> atomically.</summary>
    /// <exception cref="SmitinException">a tensor has an unsupported dtype</exception>
    public static void Write(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var names = tensors.Keys.OrderBy(k => k, StringComparer.Ordinal).ToList();
        var header = new Dictionary<string, object>();
        if (metadata is { Count: > 0 }) header["__metadata__"] = metadata;
        long offset = 0;
        var blobs = new List<byte[]>();
        foreach (var name in names)
        {
            using var t = tensors[name].detach().cpu().contiguous();
            byte[] data = t.bytes.ToArray();
            header[name] = new { dtype = DType(t.dtype, name), shape = t.shape, data_offsets = new[] { offset, offset + data.Length } };
            offset += data.Length;
            blobs.Add(data);
        }
        byte[] json = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(header));
        int pad = (8 - json.Length % 8) % 8;
        byte[] headerBytes = [.. json, .. Enumerable.Repeat((byte)' ', pad)];
        AtomicFile.Write(path, s =>
        {
            s.Write(BitConverter.GetBytes((ulong)headerBytes.Length));
            s.Write(headerBytes);
            foreach (var b in blobs) s.Write(b);
        });
    }

    static string DType(ScalarType t, string name) => t switch
    {
        ScalarType.Float64 => "F64",
        ScalarType.Float32 => "F32",
        ScalarType.Float16 => "F16",
        ScalarType.BFloat16 => "BF16",
        ScalarType.Int64 => "I64",
        ScalarType.Int32 => "I32",
        ScalarType.Int16 => "I16",
        ScalarType.Int8 => "I8",
        ScalarType.Byte => "U8",
        ScalarType.Bool => "BOOL",
        _ => throw new SmitinException($"tensor '{name}': dtype {t} cannot be written to safetensors"),
    };
}
