using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Smitin.Models.Text;

/// <summary>
/// The reference's <c>T5EncoderModel</c> (MusicGen's <c>text_encoder.*</c>): a <c>shared</c> token embedding and the
/// <c>encoder</c> stack, whose <c>embed_tokens</c> is the same module (the tied weight is stored once, as
/// <c>shared.weight</c>). Sizes come from <see cref="T5Config"/>.
/// </summary>
public sealed class T5Encoder : nn.Module<Tensor, Tensor, Tensor>
{
    readonly Embedding shared;   // (vocab, D)
    readonly T5Stack encoder;

    /// <summary>The <c>text_encoder</c> section of <c>config.json</c>.</summary>
    public T5Config Config { get; }

    /// <summary>The T5 encoder of <paramref name="config"/> with uninitialised weights.</summary>
    /// <exception cref="SmitinException"><c>text_encoder.num_layers</c> is below 1</exception>
    public T5Encoder(T5Config config) : base(nameof(T5Encoder))
    {
        if (config.NumLayers < 1) throw new SmitinException($"config.json: text_encoder.num_layers {config.NumLayers} (expected at least 1)");
        Config = config;
        shared = nn.Embedding(config.VocabSize, config.DModel);
        encoder = new T5Stack(config, shared);
        RegisterComponents();
    }

    /// <summary>The token embedding (vocab, D), shared with the stack (<c>shared.weight</c>).</summary>
    public Embedding Shared => shared;
    /// <summary>The encoder stack (<c>encoder.*</c>).</summary>
    public T5Stack Stack => encoder;

    /// <summary>
    /// State-dict aliases for loading: <c>save_pretrained</c> drops the tied duplicate, so
    /// <c>encoder.embed_tokens.weight</c> is read from <c>shared.weight</c> (and the other way round for checkpoints
    /// that kept only the encoder's copy).
    /// </summary>
    public static IReadOnlyDictionary<string, string> TiedAliases { get; } = new Dictionary<string, string>
    {
        ["encoder.embed_tokens.weight"] = "shared.weight",
        ["shared.weight"] = "encoder.embed_tokens.weight",
    };

    /// <summary>last_hidden_state (B, S, D).</summary>
    public override Tensor forward(Tensor inputIds, Tensor attentionMask) => encoder.call(inputIds, attentionMask);

    /// <summary>last_hidden_state (B, S, D) plus, if asked, every hidden state (see <see cref="T5Stack.Run"/>).</summary>
    public (Tensor LastHiddenState, IReadOnlyList<Tensor>? HiddenStates) Encode(Tensor inputIds, Tensor attentionMask, bool outputHiddenStates)
    {
        ValidateIds(inputIds, attentionMask);
        if (!outputHiddenStates) return (encoder.call(inputIds, attentionMask), null);
        var states = new List<Tensor>();
        var last = encoder.Run(inputIds, attentionMask, states);
        return (last, states);
    }

    void ValidateIds(Tensor inputIds, Tensor attentionMask)
    {
        if (inputIds.dim() != 2 || inputIds.dtype != ScalarType.Int64)
            throw new SmitinException($"text input_ids must be int64 (B, S), got {inputIds.dtype} [{string.Join(", ", inputIds.shape)}]");
        if (!attentionMask.shape.SequenceEqual(inputIds.shape))
            throw new SmitinException($"text attention_mask shape [{string.Join(", ", attentionMask.shape)}] does not match input_ids [{string.Join(", ", inputIds.shape)}]");
        if (inputIds.numel() > 0)
        {
            long min = inputIds.min().item<long>(), max = inputIds.max().item<long>();
            if (min < 0 || max >= Config.VocabSize)
                throw new SmitinException($"text token id {(min < 0 ? min : max)} is outside the text encoder vocabulary [0, {Config.VocabSize})");
        }
    }
}
