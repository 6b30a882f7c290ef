using TorchSharp;
using static TorchSharp.torch;

namespace Smitin.Audio;

// Conversion between AudioClip and TorchSharp tensors.
public sealed partial class AudioClip
{
    /// <summary>A new float32 CPU tensor of shape (C, T) holding a copy of the samples.</summary>
    public Tensor ToTensor()
    {
        var flat = new float[Channels * (long)Frames];
        for (int c = 0; c < Channels; c++) Samples[c].CopyTo(flat, (long)c * Frames);
        return torch.tensor(flat, new long[] { Channels, Frames }, ScalarType.Float32); // (C, T)
    }

    /// <summary>
    /// A clip from a tensor of shape (C, T), (T) (mono) or (1, C, T) (a batch of one), any float dtype or device.
    /// A NaN or infinite value is a <see cref="SmitinException"/> naming <paramref name="name"/>.
    /// </summary>
    public static AudioClip FromTensor(Tensor audio, int sampleRate, string name = "audio")
    {
        ArgumentNullException.ThrowIfNull(audio);
        using var scope = torch.NewDisposeScope();
        Tensor t = audio.dim() switch
        {
            1 => audio.unsqueeze(0),                              // (T) -> (1, T)
            2 => audio,                                           // (C, T)
            3 when audio.shape[0] == 1 => audio.squeeze(0),       // (1, C, T) -> (C, T)
            _ => throw new SmitinException($"tensor '{name}': got shape [{string.Join(", ", audio.shape)}], expected (C, T), (T) or (1, C, T)"),
        };
        if (t.shape[0] < 1 || t.shape[1] < 0)
            throw new SmitinException($"tensor '{name}': got shape [{string.Join(", ", audio.shape)}], expected at least one channel");
        float[] flat = t.detach().to(ScalarType.Float32).cpu().contiguous().data<float>().ToArray();
        int channels = (int)t.shape[0], frames = (int)t.shape[1];
        var s = new float[channels][];
        for (int c = 0; c < channels; c++) s[c] = flat.AsSpan(c * frames, frames).ToArray();
        var clip = new AudioClip(s, sampleRate);
        if (clip.FindNonFinite() is { } bad)
            throw new SmitinException($"tensor '{name}': value at channel {bad.Channel}, frame {bad.Frame} is NaN or infinite; expected finite audio");
        return clip;
    }
}
