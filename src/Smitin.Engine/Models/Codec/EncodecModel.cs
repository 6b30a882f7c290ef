using Smitin.IO;
using TorchSharp;
using static TorchSharp.torch;

namespace Smitin.Models.Codec;

/// <summary>
/// EnCodec as MusicGen uses it (HF <c>EncodecModel</c> with <c>normalize = false</c>, no chunking): SEANet
/// <see cref="EncodecEncoder"/>, residual <see cref="EncodecQuantizer"/>, SEANet <see cref="EncodecDecoder"/>.
/// Field names match the checkpoint under the <c>audio_encoder.</c> prefix.
///
/// Multi-channel audio through a mono codec (stereo MusicGen): each channel is encoded on its own and the codebooks
/// are interleaved, codebook k of channel c at row k·C + c (stereo: even rows = left, odd rows = right), as the
/// reference's MusicgenForConditionalGeneration does; decoding splits them the same way.
/// </summary>
public sealed class EncodecModel : nn.Module
{
    readonly EncodecEncoder encoder;
    readonly EncodecDecoder decoder;
    readonly EncodecQuantizer quantizer;

    /// <summary>The codec's <c>audio_encoder</c> section of <c>config.json</c>.</summary>
    public EncodecConfig Config { get; }
    /// <summary>The convolutional encoder (audio → latents).</summary>
    public EncodecEncoder Encoder => encoder;
    /// <summary>The convolutional decoder (latents → audio).</summary>
    public EncodecDecoder Decoder => decoder;
    /// <summary>The residual vector quantizer (latents ↔ codes).</summary>
    public EncodecQuantizer Quantizer => quantizer;

    /// <summary>Sample rate of the codec in Hz (32000 for MusicGen).</summary>
    public int SampleRate => Config.SamplingRate;
    /// <summary>Channels the codec itself takes (1 for MusicGen's EnCodec, also for stereo checkpoints).</summary>
    public int Channels => Config.AudioChannels;
    /// <summary>Samples per frame.</summary>
    public int HopLength => Config.HopLength;
    /// <summary>Code frames per second (sample rate / hop length, rounded up; 50 for MusicGen).</summary>
    public double FrameRate => Config.FrameRate;
    /// <summary>Entries per codebook (2048 for MusicGen).</summary>
    public int CodebookSize => Config.CodebookSize;
    /// <summary>Codebooks per channel used at the default bandwidth <c>target_bandwidths[0]</c> (what the reference encodes with).</summary>
    public int NumCodebooks { get; }

    /// <summary>Builds the codec of <paramref name="config"/> with uninitialised weights (load them with
    /// <see cref="IO.WeightLoader"/>).</summary>
    /// <exception cref="SmitinException">the configuration is inconsistent (the message names the field)</exception>
    public EncodecModel(EncodecConfig config) : base(nameof(EncodecModel))
    {
        CodecChecks.Model(config);
        Config = config;
        encoder = new EncodecEncoder(config);
        decoder = new EncodecDecoder(config);
        quantizer = new EncodecQuantizer(config);
        NumCodebooks = quantizer.CodebooksForBandwidth(config.TargetBandwidths[0]);
        RegisterComponents();
        eval();
    }

    /// <summary>
    /// Builds the codec and loads its weights from <paramref name="ckpt"/> (keys <c>{prefix}encoder.*</c>,
    /// <c>{prefix}decoder.*</c>, <c>{prefix}quantizer.*</c>; weight norm folded). The codebooks' EMA training
    /// buffers are marked consumed.
    /// </summary>
    public static EncodecModel Load(Checkpoint ckpt, EncodecConfig config, string prefix = "audio_encoder.")
    {
        Native.TorchRuntime.Ensure();
        var model = new EncodecModel(config);
        try
        {
            WeightLoader.Load(model, ckpt, prefix);
            string[] trainingBuffers = [".codebook.embed_avg", ".codebook.cluster_size", ".codebook.inited"];
            foreach (var key in ckpt.Keys.Where(k => k.StartsWith(prefix + "quantizer.", StringComparison.Ordinal)
                                                      && trainingBuffers.Any(b => k.EndsWith(b, StringComparison.Ordinal))).ToList())
                ckpt.MarkUsed(key);
        }
        catch
        {
            model.Dispose();
            throw;
        }
        return model;
    }

    Device ModelDevice => quantizer.buffers().First().device;

    /// <summary>Pre-quantisation latents: (B, channels, T) float audio → (B, hidden_size, ceil(T / hop)).</summary>
    public Tensor Embed(Tensor audio)
    {
        CheckAudio(audio, Channels);
        using var _ = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var x = audio.to(ScalarType.Float32, ModelDevice);
        return encoder.call(x).MoveToOuterDisposeScope();
    }

    /// <summary>(B, channels, T) float audio → (B, K, F) int64 codes, K = <see cref="NumCodebooks"/>.</summary>
    public Tensor Encode(Tensor audio)
    {
        using var _ = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var latents = Embed(audio);                                  // (B, D, F)
        return quantizer.Encode(latents, NumCodebooks).MoveToOuterDisposeScope();
    }

    /// <summary>Quantised latents: (B, K, F) int64 codes → (B, hidden_size, F), the sum of the codewords.</summary>
    public Tensor Quantized(Tensor codes)
    {
        CheckCodes(codes, 1);
        using var _ = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        return quantizer.Decode(codes.to(ScalarType.Int64, ModelDevice)).MoveToOuterDisposeScope();
    }

    /// <summary>(B, K, F) int64 codes → (B, channels, F · hop) float audio.</summary>
    public Tensor Decode(Tensor codes)
    {
        using var _ = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var latents = Quantized(codes);                              // (B, D, F)
        return decoder.call(latents).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// (B, C, T) audio with C channels → (B, C·K, F) codes. C = <see cref="Channels"/> encodes directly; a mono codec
    /// encodes each channel separately and interleaves the codebooks (row k·C + c = codebook k of channel c).
    /// </summary>
    public Tensor EncodeChannels(Tensor audio)
    {
        if (audio.dim() != 3) CheckAudio(audio, Channels);
        long c = audio.shape[1];
        if (c == Channels) return Encode(audio);
        if (Channels != 1) CheckAudio(audio, Channels);
        using var scope = torch.NewDisposeScope();
        var perChannel = Enumerable.Range(0, (int)c).Select(i => Encode(audio.narrow(1, i, 1))).ToList(); // C × (B, K, F)
        var stacked = torch.stack(perChannel, 2);                    // (B, K, C, F)
        return stacked.reshape(stacked.shape[0], -1, stacked.shape[3]).MoveToOuterDisposeScope(); // (B, K·C, F)
    }

    /// <summary>Inverse of <see cref="EncodeChannels"/>: (B, C·K, F) interleaved codes → (B, C, F · hop) audio.</summary>
    public Tensor DecodeChannels(Tensor codes, int channels)
    {
        if (channels == Channels) return Decode(codes);
        if (Channels != 1 || channels < 1)
            throw new SmitinException($"EnCodec: cannot decode {channels} channels with a {Channels}-channel codec (expected {Channels}, or any count with a mono codec)");
        CheckCodes(codes, channels);
        using var scope = torch.NewDisposeScope();
        var perChannel = Enumerable.Range(0, channels)
            .Select(c => Decode(codes.slice(1, c, codes.shape[1], channels))) // rows c, c+C, c+2C, ...
            .ToList();                                               // C × (B, 1, T)
        return torch.cat(perChannel, 1).MoveToOuterDisposeScope();   // (B, C, T)
    }

    void CheckAudio(Tensor audio, long channels)
    {
        if (audio.dim() != 3 || audio.shape[1] != channels || audio.shape[2] < 1)
            throw new SmitinException($"EnCodec: audio has shape {WeightLoader.Shape(audio.shape)}, expected (batch, {channels}, samples) with samples >= 1");
        if (!audio.is_floating_point())
            throw new SmitinException($"EnCodec: audio has dtype {audio.dtype}, expected a floating-point tensor");
    }

    void CheckCodes(Tensor codes, int channels)
    {
        if (codes.dim() != 3 || codes.shape[1] < channels || codes.shape[1] % channels != 0 || codes.shape[1] / channels > quantizer.NumQuantizers || codes.shape[2] < 1)
            throw new SmitinException($"EnCodec: codes have shape {WeightLoader.Shape(codes.shape)}, expected (batch, K, frames) with K a multiple of {channels} channel(s) and at most {quantizer.NumQuantizers} codebooks per channel");
        if (codes.is_floating_point() || codes.dtype == ScalarType.Bool)
            throw new SmitinException($"EnCodec: codes have dtype {codes.dtype}, expected an integer tensor");
        if (codes.numel() > 0)
        {
            long min = codes.min().to_type(ScalarType.Int64).item<long>(), max = codes.max().to_type(ScalarType.Int64).item<long>();
            if (min < 0 || max >= CodebookSize)
                throw new SmitinException($"EnCodec: code {(min < 0 ? min : max)} out of range (expected 0..{CodebookSize - 1})");
        }
    }
}
