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

    /// <summary>The T5 tokenizer read from the folder's <c>spiece.model</c>.</summary>
    public T5Tokenizer Tokenizer => _tokenizer ?? throw new ObjectDisposedException(nameof(MusicGen));

    /// <summary>T5 encoder + <c>enc_to_dec_proj</c> (a TorchSharp module: hooks can be registered on it).</summary>
    public TextConditioner Text => _text ?? throw new ObjectDisposedException(nameof(MusicGen));

    /// <summary>Tokenizes <paramref name="prompts"/> (padded to the longest) and encodes them for the decoder.</summary>
    /// <param name="outputHiddenStates">also return every T5 hidden state (<see cref="TextConditioning.HiddenStates"/>)</param>
    public TextConditioning EncodeText(IReadOnlyList<string> prompts, bool outputHiddenStates = false) =>
        EncodeText(Tokenizer.EncodeBatch(prompts), outputHiddenStates);

    /// <summary>Encodes an already tokenized batch.</summary>
    public TextConditioning EncodeText(TokenBatch batch, bool outputHiddenStates = false)
    {
        using var ids = torch.tensor(batch.InputIds);
        using var mask = torch.tensor(batch.AttentionMask);
        using (torch.no_grad()) return Text.Encode(ids, mask, outputHiddenStates);
    }

    partial void LoadText(Checkpoint ckpt)
    {
        _tokenizer = T5Tokenizer.Load(Folder);
        var t5 = Config.TextEncoder;
        if (_tokenizer.VocabSize > t5.VocabSize)
            throw new SmitinException($"{_tokenizer.ModelPath}: tokenizer has {_tokenizer.VocabSize} ids but config.json text_encoder.vocab_size is {t5.VocabSize}");
        _text = new TextConditioner(t5, Config.Decoder.HiddenSize);
        _text.eval();
        _text.Load(ckpt);
    }

    partial void MoveText(Device device) => _text?.to(device);

    partial void DisposeText()
    {
        _text?.Dispose();
        _text = null;
    }
}
