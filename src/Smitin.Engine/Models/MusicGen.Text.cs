using Smitin.IO;
using Smitin.Models.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace Smitin.Models;

/// <summary>The text side of <see cref="MusicGen"/>: T5 tokenizer, T5 encoder and <c>enc_to_dec_proj</c>.</summary>
public sealed partial class MusicGen
{
    T5Tokenizer? _tokenizer;
    TextConditioner? _text;

    /// <summary>
    /// The T5 tokenizer read from the folder's <c>spiece.model</c>. Loaded with the model when the file is there;
    /// a folder without it still loads (audio-only use: encode/decode), and the first use of the tokenizer then
    /// fails with an error naming the missing file.
    /// </summary>
    public T5Tokenizer Tokenizer
    {
        get
        {
            Require(_text, MusicGenParts.Text, "text encoder");
            return _tokenizer ??= LoadTokenizer();
        }
    }

    /// <summary>T5 encoder + <c>enc_to_dec_proj</c> (a TorchSharp module: hooks can be registered on it).</summary>
    public TextConditioner Text => Require(_text, MusicGenParts.Text, "text encoder");

    /// <summary>Tokenizes <paramref name="prompts"/> (padded to the longest) and encodes them for the decoder.</summary>
    /// <param name="outputHiddenStates">also return every T5 hidden state (<see cref="TextConditioning.HiddenStates"/>)</param>
    /// <param name="prompts">B text prompts</param>
    public TextConditioning EncodeText(IReadOnlyList<string> prompts, bool outputHiddenStates = false) =>
        EncodeText(Tokenizer.EncodeBatch(prompts), outputHiddenStates);

    /// <summary>Encodes an already tokenized batch.</summary>
    public TextConditioning EncodeText(TokenBatch batch, bool outputHiddenStates = false)
    {
        using var ids = torch.tensor(batch.InputIds);
        using var mask = torch.tensor(batch.AttentionMask);
        using (torch.no_grad()) return Text.Encode(ids, mask, outputHiddenStates);
    }

    /// <summary>The tokenizer (when the folder has <c>spiece.model</c>) and T5 + <c>enc_to_dec_proj</c> from the checkpoint.</summary>
    TextConditioner LoadText(Checkpoint ckpt)
    {
        if (File.Exists(Path.Combine(Folder, "spiece.model"))) _tokenizer = LoadTokenizer();
        var text = new TextConditioner(Config.TextEncoder, Config.Decoder.HiddenSize);
        text.eval();
        text.Load(ckpt);
        return text;
    }

    T5Tokenizer LoadTokenizer()
    {
        var tokenizer = T5Tokenizer.Load(Folder);
        int vocab = Config.TextEncoder.VocabSize;
        if (tokenizer.VocabSize > vocab)
            throw new SmitinException($"{tokenizer.ModelPath}: tokenizer has {tokenizer.VocabSize} ids but config.json text_encoder.vocab_size is {vocab}");
        return tokenizer;
    }
}
