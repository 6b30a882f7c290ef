using Smitin.Audio;
using Smitin.IO;
using Smitin.Models.Codec;
using TorchSharp;
using static TorchSharp.torch;

namespace Smitin.Models;

/// <summary>The EnCodec part of <see cref="MusicGen"/>: audio ↔ the codes the language model reads and writes.</summary>
public sealed partial class MusicGen
{
    EncodecModel? _codec;

    /// <summary>The EnCodec codec (encoder, quantizer, decoder), for latents and per-part access.</summary>
    public EncodecModel Codec => Require(_codec, MusicGenParts.Codec, "codec");

    /// <summary>Audio sample rate of the model (EnCodec <c>sampling_rate</c>).</summary>
    public int SampleRate => Config.AudioEncoder.SamplingRate;

    /// <summary>Channels of the model's audio (<c>decoder.audio_channels</c>: 1, or 2 for stereo checkpoints).</summary>
    public int AudioChannels => Config.Decoder.AudioChannels;

    /// <summary>Code frames per second (EnCodec frame rate).</summary>
    public double FrameRate => Config.AudioEncoder.FrameRate;

    /// <summary><paramref name="clip"/> with the model's channels and sample rate (<see cref="AudioClip.Conform"/>:
    /// downmix = mean, upmix = copy, WDL resampler); the clip itself when it already matches.</summary>
    /// <exception cref="SmitinException">a channel layout that cannot be converted to the model's</exception>
    public AudioClip Conform(AudioClip clip) => clip.Conform(AudioChannels, SampleRate);

    /// <summary>EnCodec from <c>audio_encoder.*</c>, checked against the decoder's channels and codebooks.</summary>
    static EncodecModel LoadCodec(Checkpoint ckpt, MusicGenConfig config)
    {
        var codec = EncodecModel.Load(ckpt, config.AudioEncoder);
        int audioChannels = config.Decoder.AudioChannels;
        try
        {
            if (audioChannels != codec.Channels && codec.Channels != 1)
                throw new SmitinException($"config.json: decoder.audio_channels {audioChannels} needs a mono codec or one with as many channels, but audio_encoder.audio_channels is {codec.Channels}");
            int kTotal = audioChannels == codec.Channels ? codec.NumCodebooks : audioChannels * codec.NumCodebooks;
            if (kTotal != config.Decoder.NumCodebooks)
                throw new SmitinException(
                    $"config.json: decoder.num_codebooks {config.Decoder.NumCodebooks} does not match the codec: {audioChannels} channel(s) × {codec.NumCodebooks} codebooks " +
                    $"(audio_encoder.target_bandwidths[0] = {config.AudioEncoder.TargetBandwidths[0]} kbps, codebook_size {codec.CodebookSize}, frame rate {codec.FrameRate})");
        }
        catch
        {
            codec.Dispose();
            throw;
        }
        return codec;
    }

    /// <summary>
    /// Encodes audio at the model rate into the codes the decoder LM uses.
    /// </summary>
    /// <param name="audio">(B, <see cref="AudioChannels"/>, T) float audio at <see cref="SampleRate"/></param>
    /// <returns>(B, K_total, F) int64 on the model device; F = ceil(T / hop). Stereo: K_total = 2·K, codebooks
    /// interleaved (even rows = left, odd rows = right).</returns>
    /// <exception cref="SmitinException">the audio is not (B, <see cref="AudioChannels"/>, T)</exception>
    public Tensor EncodeAudio(Tensor audio)
    {
        if (audio.dim() != 3 || audio.shape[1] != AudioChannels)
            throw new SmitinException($"EncodeAudio: audio has shape {WeightLoader.Shape(audio.shape)}, expected (batch, {AudioChannels}, samples) for this {(AudioChannels == 2 ? "stereo" : "mono")} model");
        return Codec.EncodeChannels(audio);
    }

    /// <summary>
    /// Decodes codes (as <see cref="EncodeAudio"/> returns them, or as generated) into audio.
    /// </summary>
    /// <param name="codes">(B, K_total, F) integer codes in [0, codebook_size); K_total = decoder.num_codebooks</param>
    /// <returns>(B, <see cref="AudioChannels"/>, F · hop) float32 audio on the model device</returns>
    /// <exception cref="SmitinException">the codes are not (B, decoder.num_codebooks, F)</exception>
    public Tensor DecodeCodes(Tensor codes)
    {
        if (codes.dim() != 3 || codes.shape[1] != Config.Decoder.NumCodebooks)
            throw new SmitinException($"DecodeCodes: codes have shape {WeightLoader.Shape(codes.shape)}, expected (batch, {Config.Decoder.NumCodebooks}, frames)");
        return Codec.DecodeChannels(codes, AudioChannels);
    }
}
