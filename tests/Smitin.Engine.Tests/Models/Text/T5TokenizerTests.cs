using System.Text.Json;
using Smitin.Models.Text;
using Smitin.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Smitin.Tests.Models.Text;

public class T5TokenizerTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("smitin-tok-").FullName;
    public void Dispose() => Directory.Delete(_dir, true);

    static readonly Lazy<T5Tokenizer> Tiny = new(() => T5Tokenizer.Load(Fixture.Model()));

    /// <summary>The fixture's prompts, as recorded in reference.json.</summary>
    static string[] Prompts()
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Fixture.Model(), "reference.json")));
        return doc.RootElement.GetProperty("prompts").EnumerateArray().Select(p => p.GetString()!).ToArray();
    }

    static Tensor ToTensor(long[,] a) => torch.tensor(a);

    [Theory]
    [InlineData(3, "tokenizer.input_ids", "tokenizer.attention_mask")]
    [InlineData(2, "lm.text_input_ids", "lm.text_attention_mask")]
    [InlineData(1, "cont.text_input_ids", "cont.text_attention_mask")]
    public void IdsAndMaskMatchTheReferenceExactly(int prompts, string idsKey, string maskKey)
    {
        var batch = Tiny.Value.EncodeBatch(Prompts()[..prompts]);
        using var reference = Fixture.Reference();
        using var ids = ToTensor(batch.InputIds);
        using var mask = ToTensor(batch.AttentionMask);
        using var refIds = reference.Read(idsKey);
        using var refMask = reference.Read(maskKey);
        TensorAssert.Equal(refIds, ids, idsKey);
        TensorAssert.Equal(refMask, mask, maskKey);
    }

    [Fact]
    public void SpecialIdsComeFromTheModelAndTokenizerConfig()
    {
        var t = Tiny.Value;
        Assert.Equal((0, 1, 2), (t.PadId, t.EosId, t.UnkId));
        Assert.Equal(160, t.VocabSize);
        Assert.Equal("right", t.PaddingSide);
    }

    // Expected ids below come from the reference implementation: Debian sentencepiece 0.1.97,
    // `spm_encode --model=spiece.model --output_format=id` on the fixture's model, plus </s> (= 1).
    [Theory]
    [InlineData("漢字 naïve ＡＢＣ ~~ 77 é~7", new[] { 3, 2, 3, 30, 16, 2, 55, 6, 19, 143, 145, 3, 2, 3, 2, 3, 2, 1 })] // unknown runs -> one <unk>
    [InlineData("ＡＢＣ ﬁ naïve café", new[] { 19, 143, 145, 3, 147, 12, 3, 30, 16, 2, 55, 6, 71, 147, 2, 1 })]        // NFKC
    [InlineData("  loud   guitars  ", new[] { 3, 11, 13, 17, 21, 81, 1 })]                                             // extra whitespace
    [InlineData("", new[] { 1 })]
    public void MatchesSentencePieceOnEdgeCases(string text, int[] expected) =>
        Assert.Equal(expected, Tiny.Value.Encode(text));

    [Fact]
    public void LiteralSpecialTokensAreSplitOutLikeTheReference()
    {
        // HF splits added tokens first and encodes the pieces in between separately ("drums" -> 34, " bass" -> 27),
        // and adds no second </s> when the ids already end with it.
        Assert.Equal(new[] { 34, 1, 27, 1 }, Tiny.Value.Encode("drums</s> bass"));
        Assert.Equal(new[] { 34, 1 }, Tiny.Value.Encode("drums</s>"));
        Assert.Equal(new[] { 34, 2, 27, 1 }, Tiny.Value.Encode("drums<unk> bass"));
        // Literal <unk> tokens are added tokens, not SentencePiece pieces: they are not merged.
        Assert.Equal(new[] { 2, 2, 1 }, Tiny.Value.Encode("<unk><unk>"));
    }

    [Fact]
    public void BatchIsRightPaddedWithPadAndMasked()
    {
        var b = Tiny.Value.EncodeBatch(["drums", "loud guitars"]);
        Assert.Equal(2, b.BatchSize);
        Assert.Equal(7, b.Length);
        Assert.Equal(new long[] { 34, 1, 0, 0, 0, 0, 0 }, Row(b.InputIds, 0));
        Assert.Equal(new long[] { 1, 1, 0, 0, 0, 0, 0 }, Row(b.AttentionMask, 0));
        Assert.Equal(new long[] { 1, 1, 1, 1, 1, 1, 1 }, Row(b.AttentionMask, 1));
    }

    static long[] Row(long[,] a, int r) => Enumerable.Range(0, a.GetLength(1)).Select(c => a[r, c]).ToArray();

    [Fact]
    public void BosRewriteChangesOnlyTheBosField()
    {
        string path = Path.Combine(Fixture.Model(), "spiece.model");
        byte[] proto = File.ReadAllBytes(path);
        var before = SentencePieceModelProto.Read(proto, path);
        Assert.Equal((-1, 1, 2, 0, 1), (before.BosId, before.EosId, before.UnkId, before.PadId, before.ModelType));
        Assert.Equal(160, before.Pieces.Count);

        byte[] patched = SentencePieceModelProto.WithBosId(proto, 0, path);
        var after = SentencePieceModelProto.Read(patched, path);
        Assert.Equal((0, 1, 2, 0, 1), (after.BosId, after.EosId, after.UnkId, after.PadId, after.ModelType));
        Assert.Equal(before.Pieces, after.Pieces);
        // -1 is a 10-byte varint, 0 a 1-byte one: the file shrinks by exactly 9 bytes.
        Assert.Equal(proto.Length - 9, patched.Length);
        // Patching twice is stable.
        Assert.Equal(patched, SentencePieceModelProto.WithBosId(patched, 0, path));
    }

    [Fact]
    public void TokenizerJsonOnlyFolderGetsAClearError()
    {
        File.WriteAllText(Path.Combine(_dir, "tokenizer.json"), "{}");
        var e = Assert.Throws<SmitinException>(() => T5Tokenizer.Load(_dir));
        Assert.Contains("spiece.model", e.Message);
        Assert.Contains("tokenizer.json", e.Message);
    }

    [Theory]
    [InlineData(new byte[] { 0x0a, 0x40, 0x01 })]        // piece field claims 64 bytes, has 1
    [InlineData(new byte[] { 0x08, 0xff, 0xff })]        // truncated varint
    [InlineData(new byte[] { 0x0b })]                    // wire type 3 (groups): unsupported
    [InlineData(new byte[] { })]                         // empty: no pieces
    public void MalformedSpieceModelIsANamedError(byte[] content)
    {
        File.WriteAllBytes(Path.Combine(_dir, "spiece.model"), content);
        var e = Assert.Throws<SmitinException>(() => T5Tokenizer.Load(_dir));
        Assert.Contains("spiece.model", e.Message);
    }
}
