using static TorchSharp.torch;

namespace Smitin.Models.Melody;

/// <summary>
/// What <see cref="ChromaExtractor"/> computes for a batch of melodies (CPU tensors the record owns: dispose it).
/// </summary>
/// <param name="Raw">(B, C, F) float32 chroma energies: filter bank × STFT power (before normalisation)</param>
/// <param name="Normalized">(B, F, C) float32: each frame divided by its maximum (at least 1e-6); the values the argmax is taken on</param>
/// <param name="OneHot">(B, F, C) float32 one-hot of each frame's argmax (ties → lowest bin, so silence is C): the
/// reference's <c>input_features</c>, what the model is conditioned on</param>
public sealed record ChromaFeatures(Tensor Raw, Tensor Normalized, Tensor OneHot) : IDisposable
{
    /// <summary>Melodies B.</summary>
    public int BatchSize => (int)OneHot.shape[0];
    /// <summary>Chroma frames F (1 + samples / hop of the longest melody).</summary>
    public int Frames => (int)OneHot.shape[1];

    /// <summary>Frees the three tensors.</summary>
    public void Dispose()
    {
        Raw.Dispose();
        Normalized.Dispose();
        OneHot.Dispose();
    }
}
