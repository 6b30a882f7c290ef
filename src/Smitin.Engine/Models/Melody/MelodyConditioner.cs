using Smitin.IO;
using Smitin.Native;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Smitin.Models.Melody;

/// <summary>
/// The chroma side of MusicGen Melody's conditioning prefix (<c>MusicgenMelodyForConditionalGeneration</c>):
/// <c>audio_enc_to_dec_proj</c> (Linear num_chroma → D with bias; the reference creates it when the sizes differ, as in
/// every released checkpoint, and the identity is used otherwise), the tiling/cutting of the projected frames to
/// <see cref="MelodyConfig.ChromaLength"/> rows, the null chroma (one-hot C) of text-only and unconditional rows, and
/// the prefix = chroma rows first, then text rows.
/// </summary>
public sealed class MelodyConditioner : nn.Module
{
    readonly Linear? audio_enc_to_dec_proj;

    /// <summary>The melody section of the checkpoint's configuration.</summary>
    public MelodyConfig Config { get; }
    /// <summary>Width D of the decoder the chroma is projected to.</summary>
    public int HiddenSize { get; }

    /// <summary>The chroma projection <c>audio_enc_to_dec_proj</c> (chroma bins →
    /// <paramref name="decoderHiddenSize"/>),
    /// weights uninitialised.</summary>
    public MelodyConditioner(MelodyConfig config, int decoderHiddenSize) : base(nameof(MelodyConditioner))
    {
        Config = config;
        HiddenSize = decoderHiddenSize;
        if (config.NumChroma != decoderHiddenSize) audio_enc_to_dec_proj = nn.Linear(config.NumChroma, decoderHiddenSize, hasBias: true);
        RegisterComponents();
        foreach (var p in parameters()) p.requires_grad = false;
        eval();
    }

    /// <summary>Copies <c>audio_enc_to_dec_proj.*</c> from the checkpoint (errors name the tensor).</summary>
    public void Load(Checkpoint ckpt) => WeightLoader.Load(this, ckpt, "");

    Device Device => audio_enc_to_dec_proj?.weight!.device ?? CPU;

    /// <summary>
    /// Chroma rows of the prefix: the one-hot frames projected (frame = W[:, bin] + b), then, with fewer frames than
    /// <see cref="MelodyConfig.ChromaLength"/>, the whole sequence repeated <c>ceil(chroma_length / frames)</c> times
    /// (0, 1, .., F-1, 0, 1, ..; not interleaved), and cut to chroma_length rows.
    /// </summary>
    /// <param name="oneHot">(B, F, num_chroma) chroma features (<see cref="ChromaFeatures.OneHot"/>)</param>
    /// <returns>(B, chroma_length, D) on the module's device</returns>
    /// <exception cref="SmitinException">the features are not (B, F ≥ 1, num_chroma)</exception>
    public Tensor ProjectChroma(Tensor oneHot)
    {
        if (oneHot.dim() != 3 || oneHot.shape[1] < 1 || oneHot.shape[2] != Config.NumChroma)
            throw new SmitinException($"chroma features: got shape [{string.Join(", ", oneHot.shape)}], expected (B, frames ≥ 1, {Config.NumChroma}) (num_chroma)");
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        var x = oneHot.to(ScalarType.Float32, Device);
        var h = audio_enc_to_dec_proj is null ? x.alias() : audio_enc_to_dec_proj.call(x);     // (B, F, D)
        long frames = h.shape[1], length = Config.ChromaLength;
        if (frames < length) h = h.repeat(1, (length + frames - 1) / frames, 1);                // (B, F·r, D)
        return h.narrow(1, 0, length).contiguous().MoveToOuterDisposeScope();                   // (B, chroma_length, D)
    }

    /// <summary>The null chroma the reference uses without a melody and for unconditional rows: every frame one-hot C (bin 0).</summary>
    /// <returns>(batch, frames, num_chroma) float32</returns>
    public Tensor NullChroma(long batch, long frames = 1)
    {
        var x = torch.zeros(batch, frames, Config.NumChroma, ScalarType.Float32, Device);
        x.select(2, 0).fill_(Scalars.One);
        return x;
    }

    /// <summary>The conditioning prefix <c>cat([chroma rows, text rows], 1)</c>: chroma first, positions from 0.</summary>
    /// <param name="chromaRows">(B, chroma_length, D) from <see cref="ProjectChroma"/></param>
    /// <param name="textRows">(B, T, D) projected text states already multiplied by their mask (padded rows 0; they are
    /// NOT masked in the decoder, as in the reference)</param>
    /// <returns>(B, chroma_length + T, D)</returns>
    public Tensor Prefix(Tensor chromaRows, Tensor textRows)
    {
        if (chromaRows.dim() != 3 || textRows.dim() != 3 || chromaRows.shape[0] != textRows.shape[0]
            || chromaRows.shape[2] != HiddenSize || textRows.shape[2] != HiddenSize)
            throw new SmitinException($"melody prefix: chroma rows [{string.Join(", ", chromaRows.shape)}] and text rows [{string.Join(", ", textRows.shape)}] must be (B, *, {HiddenSize}) with the same B");
        return torch.cat([chromaRows.to(ScalarType.Float32, Device), textRows.to(ScalarType.Float32, Device)], 1);
    }
}
