using System.Text.Json;
using Microsoft.ML.Tokenizers;

namespace Smitin.Models.Text;

/// <summary>Token ids of a batch of prompts, right-padded (or left-padded, per the tokenizer config) to the longest.</summary>
/// <param name="InputIds">(B, S) token ids, each prompt ending in <c>&lt;/s&gt;</c>, padded with the pad id</param>
/// <param name="AttentionMask">(B, S) 1 for real tokens, 0 for padding</param>
public sealed record TokenBatch(long[,] InputIds, long[,] AttentionMask)
{
    /// <summary>Prompts B.</summary>
    public int BatchSize => InputIds.GetLength(0);
    /// <summary>Tokens S per prompt (the longest prompt, with <c>&lt;/s&gt;</c>).</summary>
    public int Length => InputIds.GetLength(1);
}

/// <summary>
/// The Hugging Face <c>T5Tokenizer</c> (slow, <c>legacy=True</c> behaviour) over a SentencePiece <c>spiece.model</c>,
/// through Microsoft.ML.Tokenizers:
/// <list type="bullet">
/// <item>added/special tokens from <c>tokenizer_config.json</c> (<c>added_tokens_decoder</c>) written literally in a
/// prompt are split out first and mapped to their ids (honouring lstrip/rstrip); the text between them is encoded
/// by SentencePiece segment by segment;</item>
/// <item>consecutive unknown pieces are merged into one <c>&lt;unk&gt;</c>, as SentencePiece does (ML.Tokenizers emits one per character);</item>
/// <item><c>&lt;/s&gt;</c> is appended unless the ids already end with it; a batch is padded with <c>&lt;pad&gt;</c> to the longest prompt.</item>
/// </list>
/// No truncation, like the reference's <c>padding=True</c> call; prompts longer than <c>model_max_length</c> are refused.
/// </summary>
public sealed class T5Tokenizer
{
    /// <summary>A token matched literally in the text before SentencePiece runs.</summary>
    sealed record AddedToken(int Id, string Content, bool LStrip, bool RStrip);

    readonly SentencePieceTokenizer _sp;
    readonly AddedToken[] _added; // longest content first, so the longest literal match wins

    /// <summary>The <c>spiece.model</c> file.</summary>
    public string ModelPath { get; }
    /// <summary>Id of <c>&lt;pad&gt;</c>.</summary>
    public int PadId { get; }
    /// <summary>Id of <c>&lt;/s&gt;</c>.</summary>
    public int EosId { get; }
    /// <summary>Id of <c>&lt;unk&gt;</c>.</summary>
    public int UnkId { get; }
    /// <summary>Number of token ids (SentencePiece pieces plus added tokens beyond them).</summary>
    public int VocabSize { get; }
    /// <summary><c>right</c> (T5 default) or <c>left</c>.</summary>
    public string PaddingSide { get; }
    /// <summary>
    /// Most tokens per prompt (<c>tokenizer_config.json</c> <c>model_max_length</c>, 512 for the released checkpoints and
    /// when absent or Hugging Face's "unset" sentinel). Longer prompts are refused by <see cref="EncodeBatch"/>: T5's
    /// attention cost grows with the square of the length, and the model never saw longer inputs.
    /// </summary>
    public int ModelMaxLength { get; }

    /// <summary>T5's <c>model_max_length</c> (transformers' <c>T5Tokenizer</c> for t5-small … t5-11b).</summary>
    public const int DefaultModelMaxLength = 512;

    T5Tokenizer(string modelPath, SentencePieceTokenizer sp, AddedToken[] added, int pad, int eos, int unk, int vocabSize, string paddingSide, int modelMaxLength)
    {
        ModelPath = modelPath; _sp = sp; _added = added; PadId = pad; EosId = eos; UnkId = unk; VocabSize = vocabSize; PaddingSide = paddingSide;
        ModelMaxLength = modelMaxLength;
    }

    /// <summary>Loads <c>spiece.model</c> and (if present) <c>tokenizer_config.json</c> / <c>special_tokens_map.json</c> from a model folder.</summary>
    public static T5Tokenizer Load(string folder)
    {
        string model = Path.Combine(folder, "spiece.model");
        if (!File.Exists(model))
        {
            if (File.Exists(Path.Combine(folder, "tokenizer.json")))
                throw new SmitinException($"{folder}: spiece.model not found, only tokenizer.json. Smitin reads the SentencePiece model of the T5 tokenizer; " +
                    "copy spiece.model from the original checkpoint (every facebook/musicgen-* repository ships it) or save it in Python with " +
                    "`T5Tokenizer.from_pretrained(SRC).save_pretrained(DIR)`.");
            throw new SmitinException($"{folder}: spiece.model not found (the T5 tokenizer's SentencePiece model)");
        }
        byte[] proto = File.ReadAllBytes(model);
        var info = SentencePieceModelProto.Read(proto, model);
        if (info.ModelType is not (1 or 2))
            throw new SmitinException($"{model}: SentencePiece model type '{info.ModelTypeName}' is not supported (expected unigram or bpe)");

        var settings = TokenizerSettings.Read(folder);
        var pieceIds = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < info.Pieces.Count; i++) pieceIds.TryAdd(info.Pieces[i], i);

        // Special-token ids: the added-tokens table names them; otherwise look the piece up in the model.
        int IdOf(string content, string role)
        {
            var a = settings.Added.FirstOrDefault(t => t.Content == content);
            if (a is not null) return a.Id;
            if (pieceIds.TryGetValue(content, out int id)) return id;
            throw new SmitinException($"{model}: {role} token '{content}' is neither a SentencePiece piece nor an added token");
        }
        int eos = IdOf(settings.EosToken, "eos");
        int pad = IdOf(settings.PadToken, "pad");
        int unk = IdOf(settings.UnkToken, "unk");

        // ML.Tokenizers indexes its vocabulary with bos_id at construction; T5 has none (-1). BOS is never added here.
        byte[] patched = info.BosId < 0 ? SentencePieceModelProto.WithBosId(proto, 0, model) : proto;
        SentencePieceTokenizer sp;
        try
        {
            using var stream = new MemoryStream(patched, writable: false);
            sp = SentencePieceTokenizer.Create(stream, addBeginningOfSentence: false, addEndOfSentence: false);
        }
        catch (Exception e) when (e is not SmitinException)
        {
            throw new SmitinException($"{model}: Microsoft.ML.Tokenizers could not load the SentencePiece model: {e.Message}", e);
        }

        var added = settings.Added.OrderByDescending(t => t.Content.Length).ToArray();
        int vocab = Math.Max(info.Pieces.Count, added.Length == 0 ? 0 : added.Max(t => t.Id) + 1);
        return new T5Tokenizer(model, sp, added, pad, eos, unk, vocab, settings.PaddingSide, settings.ModelMaxLength);
    }

    /// <summary>Ids of one prompt, ending in <c>&lt;/s&gt;</c>.</summary>
    public IReadOnlyList<int> Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new List<int>();
        foreach (var (segment, token) in Split(text))
        {
            if (token is not null) ids.Add(token.Id);
            else if (segment.Length > 0) AppendPieces(segment, ids);
        }
        // Like the reference's _add_eos_if_not_present: a prompt already ending in </s> gets no second one.
        if (ids.Count == 0 || ids[^1] != EosId) ids.Add(EosId);
        return ids;
    }

    /// <summary>Ids and attention mask of a batch, padded to the longest prompt.</summary>
    /// <exception cref="SmitinException">no prompt, or a prompt longer than <see cref="ModelMaxLength"/> tokens: refused,
    /// not truncated, because a cut would silently drop the end of the description</exception>
    public TokenBatch EncodeBatch(IReadOnlyList<string> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        if (texts.Count == 0) throw new SmitinException("no prompts to tokenize (expected at least one)");
        var rows = texts.Select(Encode).ToList();
        for (int i = 0; i < rows.Count; i++)
            if (rows[i].Count > ModelMaxLength)
                throw new SmitinException($"text prompt {i + 1} ({texts[i].Length} characters) is {rows[i].Count} tokens, but the T5 text encoder takes at most " +
                    $"{ModelMaxLength} (tokenizer_config.json model_max_length): shorten it. It is refused rather than truncated, because the cut would " +
                    "silently drop the end of the description (and the encoder's cost grows with the square of the length)");
        int length = rows.Max(r => r.Count);
        var ids = new long[rows.Count, length];
        var mask = new long[rows.Count, length];
        for (int b = 0; b < rows.Count; b++)
        {
            int offset = PaddingSide == "left" ? length - rows[b].Count : 0;
            for (int s = 0; s < length; s++) ids[b, s] = PadId;
            for (int s = 0; s < rows[b].Count; s++)
            {
                ids[b, offset + s] = rows[b][s];
                mask[b, offset + s] = 1;
            }
        }
        return new TokenBatch(ids, mask);
    }

    /// <summary>Text back from ids (special tokens dropped); for logs and debugging.</summary>
    public string Decode(IEnumerable<int> ids) =>
        _sp.Decode(ids.Where(i => i != PadId && i != EosId && i < _sp.Vocabulary.Count), considerSpecialTokens: false) ?? "";

    void AppendPieces(string segment, List<int> ids)
    {
        int previous = -1;
        foreach (int id in _sp.EncodeToIds(segment, addBeginningOfSentence: false, addEndOfSentence: false))
        {
            // SentencePiece merges a run of unknown characters into one <unk>; ML.Tokenizers emits one per character.
            if (id == UnkId && previous == UnkId) continue;
            ids.Add(id);
            previous = id;
        }
    }

    /// <summary>
    /// Splits <paramref name="text"/> at literal added tokens (longest match at the earliest position). Returns text
    /// segments (token null) and tokens, after the tokens' lstrip/rstrip trimmed their neighbours.
    /// </summary>
    List<(string Segment, AddedToken? Token)> Split(string text)
    {
        var parts = new List<(string, AddedToken?)>();
        int last = 0;
        for (int i = 0; i < text.Length;)
        {
            var hit = _added.FirstOrDefault(t => t.Content.Length > 0 && string.CompareOrdinal(text, i, t.Content, 0, t.Content.Length) == 0);
            if (hit is null) { i++; continue; }
            parts.Add((text[last..i], null));
            parts.Add(("", hit));
            i += hit.Content.Length;
            last = i;
        }
        parts.Add((text[last..], null));

        for (int k = 0; k < parts.Count; k++)
        {
            var token = parts[k].Item2;
            if (token is null) continue;
            if (token.LStrip && k > 0 && parts[k - 1].Item2 is null) parts[k - 1] = (parts[k - 1].Item1.TrimEnd(), null);
            if (token.RStrip && k + 1 < parts.Count && parts[k + 1].Item2 is null) parts[k + 1] = (parts[k + 1].Item1.TrimStart(), null);
        }
        return parts;
    }

    /// <summary>What <c>tokenizer_config.json</c> / <c>special_tokens_map.json</c> say (HF defaults for T5 otherwise).</summary>
    sealed record TokenizerSettings(List<AddedToken> Added, string EosToken, string PadToken, string UnkToken, string PaddingSide,
        int ModelMaxLength = DefaultModelMaxLength)
    {
        public static TokenizerSettings Read(string folder)
        {
            var s = new TokenizerSettings([], "</s>", "<pad>", "<unk>", "right");
            string map = Path.Combine(folder, "special_tokens_map.json");
            if (File.Exists(map)) s = Parse(map, s, readAdded: false);
            string cfg = Path.Combine(folder, "tokenizer_config.json");
            if (File.Exists(cfg)) s = Parse(cfg, s, readAdded: true);
            return s;
        }

        static TokenizerSettings Parse(string file, TokenizerSettings s, bool readAdded)
        {
            try
            {
                using var doc = JsonDocument.Parse(File.ReadAllBytes(file));
                var root = doc.RootElement;
                if (root.ValueKind != JsonValueKind.Object) throw new SmitinException($"{file}: expected a JSON object");
                s = s with
                {
                    EosToken = TokenText(root, "eos_token") ?? s.EosToken,
                    PadToken = TokenText(root, "pad_token") ?? s.PadToken,
                    UnkToken = TokenText(root, "unk_token") ?? s.UnkToken,
                };
                if (root.TryGetProperty("padding_side", out var side) && side.ValueKind == JsonValueKind.String)
                {
                    string v = side.GetString()!;
                    if (v is not ("left" or "right")) throw new SmitinException($"{file}: padding_side '{v}' (expected left or right)");
                    s = s with { PaddingSide = v };
                }
                // transformers writes int(1e30) when no limit was set: keep T5's 512 then
                if (root.TryGetProperty("model_max_length", out var max) && max.ValueKind == JsonValueKind.Number)
                {
                    if (!max.TryGetDouble(out double m) || !(m >= 1)) throw new SmitinException($"{file}: model_max_length {max} (expected a positive integer)");
                    if (m <= 1_000_000) s = s with { ModelMaxLength = (int)m };
                }
                if (readAdded && root.TryGetProperty("added_tokens_decoder", out var added) && added.ValueKind == JsonValueKind.Object)
                {
                    var list = new List<AddedToken>();
                    foreach (var p in added.EnumerateObject())
                    {
                        if (!int.TryParse(p.Name, out int id) || id < 0) throw new SmitinException($"{file}: added_tokens_decoder key '{p.Name}' is not a token id");
                        list.Add(new AddedToken(id, p.Value.GetProperty("content").GetString() ?? "",
                            Flag(p.Value, "lstrip"), Flag(p.Value, "rstrip")));
                    }
                    s = s with { Added = list };
                }
                return s;
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
            {
                throw new SmitinException($"{file}: malformed tokenizer settings: {e.Message}", e);
            }
        }

        static bool Flag(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.True;

        /// <summary>A special token is written either as a string or as an AddedToken object with <c>content</c>.</summary>
        static string? TokenText(JsonElement root, string name)
        {
            if (!root.TryGetProperty(name, out var v)) return null;
            return v.ValueKind switch
            {
                JsonValueKind.String => v.GetString(),
                JsonValueKind.Object when v.TryGetProperty("content", out var c) => c.GetString(),
                _ => null,
            };
        }
    }
}
