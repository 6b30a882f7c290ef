using Smitin.IO;
using Smitin.Models.Melody;
using Smitin.Models.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace Smitin.Models;

/// <summary>
/// The melody side of a MusicGen Melody <see cref="MusicGen"/>: the chroma extractor (settings from
/// <c>preprocessor_config.json</c>) and <c>audio_enc_to_dec_proj</c>, and the conditioning prefix they build with the
/// text (reference: <c>MusicgenMelodyForConditionalGeneration.forward/generate</c>, transformers 4.40).
/// </summary>
public sealed partial class MusicGen
{
    ChromaExtractor? _chroma;
    MelodyConditioner? _melody;

    /// <summary>True for a MusicGen Melody checkpoint (chroma + text prefix, no cross-attention).</summary>
    public bool IsMelody => Config.IsMelody;

    /// <summary>The chroma feature extractor.</summary>
    /// <exception cref="SmitinException">the model is plain MusicGen (no melody conditioning)</exception>
    public ChromaExtractor Chroma => _chroma ?? throw NotMelody();

    /// <summary><c>audio_enc_to_dec_proj</c> and the prefix assembly.</summary>
    /// <exception cref="SmitinException">the model is plain MusicGen (no melody conditioning)</exception>
    public MelodyConditioner Melody => _melody ?? throw NotMelody();

    SmitinException NotMelody()
    {
        Require(_text, MusicGenParts.Text, "text encoder");    // disposed, or loaded without its conditioning
        return new SmitinException($"{Folder}: model_type '{Config.ModelType}' has no melody conditioning (a MusicGen Melody checkpoint has model_type 'musicgen_melody')");
    }

    /// <summary>MusicGen Melody: <c>audio_enc_to_dec_proj</c> and the chroma extractor; (null, null) for plain MusicGen.</summary>
    static (MelodyConditioner?, ChromaExtractor?) LoadMelody(Checkpoint ckpt, MusicGenConfig config)
    {
        if (config.Melody is not { } melody) return (null, null);
        var conditioner = new MelodyConditioner(melody, config.Decoder.HiddenSize);
        try
        {
            conditioner.Load(ckpt);
            return (conditioner, new ChromaExtractor(melody.FeatureExtractor));
        }
        catch
        {
            conditioner.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The conditioning prefix of a batch, with its unconditional counterpart for classifier-free guidance, as the
    /// reference builds them:
    /// - chroma rows: the projected one-hot chroma tiled/cut to chroma_length; without a melody the null chroma
    ///   (one-hot C) — also in every unconditional row;
    /// - text rows: <c>enc_to_dec_proj(T5) × mask</c> (padded rows 0, not masked in the decoder); without text one
    ///   all-zero row (the reference runs T5 on <c>[[bos]]</c> with mask 0, whose product with the mask is 0);
    ///   unconditional rows are all zero, as many as the conditional ones.
    /// </summary>
    /// <param name="text">encoded prompts (B rows), or null for melody-only conditioning</param>
    /// <param name="chroma">(B, F, num_chroma) one-hot chroma, or null for text-only conditioning</param>
    /// <param name="batchSize">B when neither is given</param>
    /// <returns>(conditional, unconditional), each (B, chroma_length + T, D) on the model's device</returns>
    /// <exception cref="SmitinException">plain MusicGen model, or text and chroma batch sizes differ</exception>
    public (Tensor Conditional, Tensor Unconditional) BuildMelodyPrefix(TextConditioning? text, Tensor? chroma, int batchSize = 1)
    {
        var melody = Melody;
        long b = text?.BatchSize ?? chroma?.shape[0] ?? batchSize;
        if (chroma is not null && chroma.shape[0] != b)
            throw new SmitinException($"melody: {chroma.shape[0]} melodies for {b} text prompts (give one melody per prompt, or one for all)");
        using var scope = torch.NewDisposeScope();
        var nullChroma = melody.ProjectChroma(melody.NullChroma(b));                               // (B, chroma_length, D)
        var chromaRows = chroma is null ? nullChroma : melody.ProjectChroma(chroma);                // (B, chroma_length, D)
        var textRows = text?.EncoderHiddenStates.to(ScalarType.Float32, Device)
            ?? torch.zeros(b, 1, Config.Decoder.HiddenSize, ScalarType.Float32, Device);           // (B, T, D)
        var conditional = melody.Prefix(chromaRows, textRows);
        var unconditional = melody.Prefix(nullChroma, torch.zeros_like(textRows));
        return (conditional.MoveToOuterDisposeScope(), unconditional.MoveToOuterDisposeScope());
    }
}
