using Smitin.Audio;
using Smitin.Generation;
using Smitin.IO;
using TorchSharp;
using static TorchSharp.torch;

namespace Smitin.Models;

/// <summary>Text-to-music and audio continuation over the whole model: T5 → decoder LM → EnCodec.</summary>
public sealed partial class MusicGen
{
    /// <summary>
    /// Generates one clip per text prompt (a batch), optionally continuing an audio prompt. A duration longer than the
    /// model's window is generated window by window (<see cref="WindowPlan"/>: <see cref="GenerationOptions.MaxDurationSeconds"/>,
    /// <see cref="GenerationOptions.ExtendStrideSeconds"/>), steering carried across; what cannot fit is refused before
    /// the first step.
    /// </summary>
    /// <param name="texts">B text prompts</param>
    /// <param name="options">sampling, guidance, length, seed (defaults: audiocraft's)</param>
    /// <param name="audioPrompt">(1 or B, <see cref="AudioChannels"/>, T) audio at <see cref="SampleRate"/> to continue; its
    /// frames are re-decoded at the start of the result, as the reference does. One prompt is shared by every text.</param>
    /// <param name="decodeAudio">decode the codes to <see cref="GenerationResult.Audio"/></param>
    public GenerationResult Generate(IReadOnlyList<string> texts, GenerationOptions? options = null, Tensor? audioPrompt = null,
        IProgress<GenerationProgress>? progress = null, CancellationToken cancellationToken = default, bool decodeAudio = true)
    {
        if (texts.Count == 0) throw new SmitinException("generate: give at least one text prompt");
        options ??= new GenerationOptions();
        options.Validate();
        using var scope = torch.NewDisposeScope();
        var promptCodes = PromptCodes(texts.Count, audioPrompt);                                // (B, K, P) or null
        using var text = EncodeText(texts);
        var result = CreateCodeGenerator().Generate(text.EncoderHiddenStates, text.AttentionMask, promptCodes, options,
            progress, cancellationToken, texts: texts.ToArray());
        if (!decodeAudio) return result;
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            result.Audio = DecodeCodes(result.Codes.to(Device)).cpu().DetachFromDisposeScope(); // (B, C, T)
            result.SampleRate = SampleRate;
            return result;
        }
        catch
        {
            result.Dispose();
            throw;
        }
    }

    /// <summary>(1 or B, C, T) audio prompt → (B, K, P) codes on the model device, or null.</summary>
    Tensor? PromptCodes(int batch, Tensor? audioPrompt)
    {
        if (audioPrompt is null) return null;
        if (audioPrompt.dim() != 3 || audioPrompt.shape[1] != AudioChannels || (audioPrompt.shape[0] != 1 && audioPrompt.shape[0] != batch))
            throw new SmitinException($"audio prompt has shape {WeightLoader.Shape(audioPrompt.shape)}, expected (1 or {batch}, {AudioChannels}, samples) at {SampleRate} Hz");
        var audio = audioPrompt.to(ScalarType.Float32, Device);
        if (audio.shape[0] != batch) audio = audio.expand(batch, -1, -1);
        return EncodeAudio(audio);                                                                // (B, K, P)
    }

    /// <summary>Same, with the audio prompt as a clip of any rate and channel count (converted to the model's).</summary>
    public GenerationResult Generate(IReadOnlyList<string> texts, AudioClip audioPrompt, GenerationOptions? options = null,
        IProgress<GenerationProgress>? progress = null, CancellationToken cancellationToken = default, bool decodeAudio = true)
    {
        var clip = audioPrompt.ToChannels(AudioChannels);
        if (clip.SampleRate != SampleRate) clip = clip.Resample(SampleRate);
        using var scope = torch.NewDisposeScope();                                             // the result's tensors are detached
        var audio = clip.ToTensor().unsqueeze(0);                                               // (1, C, T)
        return Generate(texts, options, audio, progress, cancellationToken, decodeAudio);
    }
}
