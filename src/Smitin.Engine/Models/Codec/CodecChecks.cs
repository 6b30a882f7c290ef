using TorchSharp;
using static TorchSharp.torch;

namespace Smitin.Models.Codec;

/// <summary>EnCodec configuration values this implementation supports, refused by name otherwise.</summary>
static class CodecChecks
{
    public static void NormType(EncodecConfig c)
    {
        if (c.NormType is not ("weight_norm" or "time_group_norm"))
            throw new SmitinException($"config.json: audio_encoder.norm_type '{c.NormType}' is not supported (expected weight_norm or time_group_norm)");
    }

    /// <summary>torch.nn.functional.pad modes, as the reference passes <c>pad_mode</c> straight to it.</summary>
    public static PaddingModes PadMode(EncodecConfig c) => c.PadMode switch
    {
        "reflect" => PaddingModes.Reflect,
        "constant" => PaddingModes.Constant,
        "replicate" => PaddingModes.Replicate,
        "circular" => PaddingModes.Circular,
        _ => throw new SmitinException($"config.json: audio_encoder.pad_mode '{c.PadMode}' is not supported (expected reflect, constant, replicate or circular)"),
    };

    /// <summary>Options the MusicGen codec path does not implement (no released MusicGen checkpoint uses them).</summary>
    public static void Model(EncodecConfig c)
    {
        NormType(c);
        PadMode(c);
        if (c.Normalize)
            throw new SmitinException("config.json: audio_encoder.normalize = true is not supported (per-chunk audio scales cannot be carried in codes; MusicGen's EnCodec uses false)");
        if (c.ChunkLengthS is not null)
            throw new SmitinException($"config.json: audio_encoder.chunk_length_s = {c.ChunkLengthS} is not supported (MusicGen needs one chunk: expected null)");
        if (c.UpsamplingRatios.Length == 0 || c.UpsamplingRatios.Any(r => r < 1))
            throw new SmitinException($"config.json: audio_encoder.upsampling_ratios [{string.Join(", ", c.UpsamplingRatios)}] must be a non-empty list of positive integers");
        if (c.CodebookSize < 1 || (c.CodebookSize & (c.CodebookSize - 1)) != 0)
            throw new SmitinException($"config.json: audio_encoder.codebook_size {c.CodebookSize} must be a power of 2");
        if (c.TargetBandwidths.Length == 0)
            throw new SmitinException("config.json: audio_encoder.target_bandwidths is empty (expected at least one bandwidth in kbps)");
        if (c.NumQuantizers < 1)
            throw new SmitinException($"config.json: audio_encoder.target_bandwidths [{string.Join(", ", c.TargetBandwidths)}] give {c.NumQuantizers} quantizers at frame rate {c.FrameRate} (expected at least 1)");
        if (c.CodebookDim != c.HiddenSize)
            throw new SmitinException($"config.json: audio_encoder.codebook_dim {c.CodebookDim} differs from hidden_size {c.HiddenSize}; the reference quantizer has no projection, so they must be equal");
    }
}
