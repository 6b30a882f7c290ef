namespace Smitin.Models;

/// <summary>
/// The parts of a checkpoint <see cref="MusicGen.Load"/> builds (<see cref="MusicGenLoadOptions.Parts"/>). A part left
/// out costs no memory and no load time; using it fails with an error naming it ("model has no codec loaded").
/// </summary>
[Flags]
public enum MusicGenParts
{
    /// <summary>The conditioning: T5 tokenizer and encoder with <c>enc_to_dec_proj</c> (<c>text_encoder.*</c>,
    /// <c>enc_to_dec_proj.*</c>), and on MusicGen Melody the chroma extractor and <c>audio_enc_to_dec_proj.*</c>.</summary>
    Text = 1,
    /// <summary>EnCodec (<c>audio_encoder.*</c>): audio ↔ codes.</summary>
    Codec = 2,
    /// <summary>The decoder language model (<c>decoder.*</c>).</summary>
    Decoder = 4,
    /// <summary>Every part (the default): what generation needs.</summary>
    All = Text | Codec | Decoder,
}
