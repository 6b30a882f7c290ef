using System.Text;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace Smitin.IO;

/// <summary>
/// <c>codes.json</c>: EnCodec codes as the reference hands them to the EnCodec decoder,
/// <c>{"shape":[B,K,T],"codes":[[[...T ints...] × K] × B]}</c> (K = all codebooks, interleaved for stereo).
/// Reading validates the structure against <c>shape</c> and, when given, the codebook count and code range;
/// every error names the file and the position.
/// </summary>
public static class CodesJson
{
    /// <summary>Writes (B, K, T) integer codes atomically.</summary>
    public static void Write(string path, Tensor codes)
    {
        if (codes.dim() != 3)
            throw new SmitinException($"codes to write have shape {WeightLoader.Shape(codes.shape)}, expected (batch, codebooks, frames)");
        using var cpu = codes.to_type(ScalarType.Int64).cpu().contiguous();
        long b = cpu.shape[0], k = cpu.shape[1], t = cpu.shape[2];
        long[] data = cpu.data<long>().ToArray();
        var sb = new StringBuilder();
        sb.Append($"{{\"shape\":[{b},{k},{t}],\"codes\":[");
        for (long i = 0; i < b; i++)
        {
            sb.Append(i == 0 ? "\n [" : ",\n [");
            for (long j = 0; j < k; j++)
            {
                sb.Append(j == 0 ? "\n  [" : ",\n  [");
                sb.AppendJoin(',', data.AsSpan((int)((i * k + j) * t), (int)t).ToArray());
                sb.Append(']');
            }
            sb.Append("\n ]");
        }
        sb.Append("\n]}\n");
        AtomicFile.WriteAllText(path, sb.ToString());
    }

    /// <summary>Reads codes as a (B, K, T) int64 CPU tensor.</summary>
    /// <param name="path">codes.json file</param>
    /// <param name="expectedCodebooks">required K (the model's codebook count), or null to accept any</param>
    /// <param name="codebookSize">codes must lie in [0, codebookSize), or null to skip the range check</param>
    public static Tensor Read(string path, int? expectedCodebooks = null, int? codebookSize = null)
    {
        if (!File.Exists(path)) throw new SmitinException($"codes file not found: {path}");
        JsonDocument doc;
        try { doc = JsonDocument.Parse(File.ReadAllBytes(path)); }
        catch (JsonException e) { throw new SmitinException($"{path}: not valid JSON (expected {{\"shape\":[B,K,T],\"codes\":[[[...]]]}}): {e.Message}", e); }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw Bad(path, $"top level is {root.ValueKind}, expected an object {{\"shape\":[B,K,T],\"codes\":[[[...]]]}}");
            if (!root.TryGetProperty("shape", out var shapeEl) || shapeEl.ValueKind != JsonValueKind.Array || shapeEl.GetArrayLength() != 3)
                throw Bad(path, "field 'shape' missing or not an array of 3 integers [B, K, T]");
            var shape = shapeEl.EnumerateArray().Select(e => e.TryGetInt64(out long v) ? v : -1).ToArray();
            if (shape.Any(v => v < 1))
                throw Bad(path, $"'shape' [{string.Join(", ", shapeEl.EnumerateArray())}] must hold 3 positive integers [B, K, T]");
            if (expectedCodebooks is int kx && shape[1] != kx)
                throw Bad(path, $"'shape' has K = {shape[1]} codebooks, expected {kx} for this model");
            if (!root.TryGetProperty("codes", out var codesEl))
                throw Bad(path, "field 'codes' missing");
            long b = shape[0], k = shape[1], t = shape[2];
            if (b * k * t > int.MaxValue) throw Bad(path, $"'shape' [{b}, {k}, {t}] is too large");
            var data = new long[b * k * t];
            ExpectArray(path, codesEl, b, "codes");
            int bi = 0;
            foreach (var batch in codesEl.EnumerateArray())
            {
                ExpectArray(path, batch, k, $"codes[{bi}]");
                int ki = 0;
                foreach (var row in batch.EnumerateArray())
                {
                    string where = $"codes[{bi}][{ki}]";
                    ExpectArray(path, row, t, where);
                    int ti = 0;
                    foreach (var v in row.EnumerateArray())
                    {
                        if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt64(out long code))
                            throw Bad(path, $"{where}[{ti}] is '{v}', expected an integer code");
                        if (code < 0 || (codebookSize is int n && code >= n))
                            throw Bad(path, $"{where}[{ti}] = {code} is out of range (expected 0..{(codebookSize is int m ? m - 1 : long.MaxValue)})");
                        data[(bi * k + ki) * t + ti] = code;
                        ti++;
                    }
                    ki++;
                }
                bi++;
            }
            return torch.tensor(data, [b, k, t], ScalarType.Int64);
        }
    }

    static void ExpectArray(string path, JsonElement e, long length, string where)
    {
        if (e.ValueKind != JsonValueKind.Array)
            throw Bad(path, $"{where} is {e.ValueKind}, expected an array of {length}");
        if (e.GetArrayLength() != length)
            throw Bad(path, $"{where} has {e.GetArrayLength()} entries, expected {length} from 'shape'");
    }

    static SmitinException Bad(string path, string what) => new($"{path}: malformed codes file: {what}");
}
