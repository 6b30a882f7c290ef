using System.Text;

namespace Smitin.Models.Text;

/// <summary>
/// Just enough protobuf to read and patch a SentencePiece <c>ModelProto</c> (<c>spiece.model</c>) without a
/// protobuf dependency: the piece list (field 1), the trainer spec's model type and special ids (field 2), and a
/// rewrite of <c>trainer_spec.bos_id</c>.
///
/// Why the rewrite: T5 models are trained with <c>bos_id = -1</c> (no BOS piece) and Microsoft.ML.Tokenizers
/// indexes its vocabulary with that id at construction (IndexOutOfRange). Setting it to 0 lets the tokenizer load;
/// BOS is never emitted (T5 adds only EOS), so ids are unaffected.
///
/// Wire format: each field is a varint tag (field number = tag &gt;&gt; 3, wire type = tag &amp; 7) followed by a
/// varint (0), 8 bytes (1), a varint length and that many bytes (2), or 4 bytes (5).
/// </summary>
internal static class SentencePieceModelProto
{
    // ModelProto fields
    const int PiecesField = 1, TrainerSpecField = 2;
    // SentencePiece (piece entry) fields
    const int PieceTextField = 1;
    // TrainerSpec fields
    const int ModelTypeField = 3, UnkIdField = 40, BosIdField = 41, EosIdField = 42, PadIdField = 43;

    internal sealed record Info(IReadOnlyList<string> Pieces, int ModelType, int UnkId, int BosId, int EosId, int PadId)
    {
        /// <summary>SentencePiece <c>TrainerSpec.ModelType</c>: 1 unigram, 2 bpe, 3 word, 4 char.</summary>
        public string ModelTypeName => ModelType switch { 1 => "unigram", 2 => "bpe", 3 => "word", 4 => "char", _ => $"type {ModelType}" };
    }

    /// <summary>Reads the pieces and the trainer spec's special ids (proto defaults when a field is absent).</summary>
    public static Info Read(byte[] proto, string path)
    {
        var pieces = new List<string>();
        // Defaults from sentencepiece_model.proto.
        int modelType = 1, unk = 0, bos = 1, eos = 2, pad = -1;
        foreach (var f in Fields(proto, 0, proto.Length, path))
        {
            if (f.Number == PiecesField && f.WireType == 2)
            {
                string text = "";
                foreach (var p in Fields(proto, f.Start, f.End, path))
                    if (p.Number == PieceTextField && p.WireType == 2) text = Encoding.UTF8.GetString(proto, p.Start, p.End - p.Start);
                pieces.Add(text);
            }
            else if (f.Number == TrainerSpecField && f.WireType == 2)
            {
                foreach (var t in Fields(proto, f.Start, f.End, path))
                {
                    if (t.WireType != 0) continue;
                    int v = (int)(long)t.Value; // int32 fields: negative values are sign-extended 10-byte varints
                    switch (t.Number)
                    {
                        case ModelTypeField: modelType = v; break;
                        case UnkIdField: unk = v; break;
                        case BosIdField: bos = v; break;
                        case EosIdField: eos = v; break;
                        case PadIdField: pad = v; break;
                    }
                }
            }
        }
        if (pieces.Count == 0) throw new SmitinException($"{path}: not a SentencePiece model (no pieces found)");
        return new Info(pieces, modelType, unk, bos, eos, pad);
    }

    /// <summary>Returns a copy of the model with <c>trainer_spec.bos_id</c> set to <paramref name="bosId"/>; every other byte is kept.</summary>
    public static byte[] WithBosId(byte[] proto, int bosId, string path)
    {
        var output = new MemoryStream(proto.Length + 16);
        foreach (var f in Fields(proto, 0, proto.Length, path))
        {
            if (f.Number != TrainerSpecField || f.WireType != 2)
            {
                output.Write(proto, f.TagStart, f.End - f.TagStart);
                continue;
            }
            var spec = new MemoryStream(f.End - f.Start + 16);
            foreach (var t in Fields(proto, f.Start, f.End, path))
                if (t.Number != BosIdField) spec.Write(proto, t.TagStart, t.End - t.TagStart);
            WriteVarint(spec, (ulong)(BosIdField << 3));         // wire type 0
            WriteVarint(spec, unchecked((ulong)(long)bosId));    // int32 encoding: sign-extended
            WriteVarint(output, (ulong)(TrainerSpecField << 3 | 2));
            WriteVarint(output, (ulong)spec.Length);
            spec.WriteTo(output);
        }
        return output.ToArray();
    }

    /// <summary>One field: tag at <c>TagStart</c>; payload in [<c>Start</c>, <c>End</c>) (for varints <c>Value</c> holds it).</summary>
    readonly record struct Field(int Number, int WireType, int TagStart, int Start, int End, ulong Value);

    static List<Field> Fields(byte[] buf, int start, int end, string path)
    {
        var fields = new List<Field>();
        int pos = start;
        while (pos < end)
        {
            int tagStart = pos;
            ulong tag = ReadVarint(buf, ref pos, end, path);
            int number = (int)(tag >> 3), wire = (int)(tag & 7);
            if (number == 0) throw Malformed(path, tagStart, "field number 0");
            switch (wire)
            {
                case 0:
                    int vs = pos;
                    ulong v = ReadVarint(buf, ref pos, end, path);
                    fields.Add(new Field(number, wire, tagStart, vs, pos, v));
                    break;
                case 1:
                case 5:
                    int size = wire == 1 ? 8 : 4;
                    if (end - pos < size) throw Malformed(path, pos, "truncated fixed-size field");
                    fields.Add(new Field(number, wire, tagStart, pos, pos + size, 0));
                    pos += size;
                    break;
                case 2:
                    ulong len = ReadVarint(buf, ref pos, end, path);
                    if (len > (ulong)(end - pos)) throw Malformed(path, pos, $"field {number} length {len} runs past the end");
                    fields.Add(new Field(number, wire, tagStart, pos, pos + (int)len, 0));
                    pos += (int)len;
                    break;
                default:
                    throw Malformed(path, tagStart, $"unsupported wire type {wire}");
            }
        }
        return fields;
    }

    static ulong ReadVarint(byte[] buf, ref int pos, int end, string path)
    {
        ulong value = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (pos >= end) throw Malformed(path, pos, "truncated varint");
            byte b = buf[pos++];
            value |= (ulong)(b & 0x7f) << shift;
            if ((b & 0x80) == 0) return value;
        }
        throw Malformed(path, pos, "varint longer than 10 bytes");
    }

    static void WriteVarint(Stream s, ulong value)
    {
        while (value >= 0x80)
        {
            s.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }
        s.WriteByte((byte)value);
    }

    static SmitinException Malformed(string path, int offset, string what) =>
        new($"{path}: not a valid SentencePiece model (protobuf error at byte {offset}: {what})");
}
