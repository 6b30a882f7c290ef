using Smitin.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace Smitin.Training;

/// <summary>
/// Multi-scale log-mel L1 (EnCodec / DAC style reconstruction loss): for each STFT size n in <c>Scales</c>
/// (hop n/4, Hann window, the engine's HTK <see cref="Audio.MelFilterbank"/>), |log(mel(y) + eps) − log(mel(x) + eps)| averaged, then averaged over scales. Magnitude
/// (not power) spectra; 64 HTK mel bands up to Nyquist.
/// </summary>
public sealed class MultiScaleMelLoss : IDisposable
{
    public static readonly int[] DefaultScales = [256, 512, 1024, 2048];
    readonly (int NFft, Tensor Window, Tensor Mel)[] _scales;
    const double Eps = 1e-5;
    // held scalars (Smitin.Native.Scalars): a temporary scalar may be freed during the native call
    static readonly Scalar EpsScalar = Eps.ToScalar();
    static readonly Scalar MagnitudeFloor = 1e-9.ToScalar();

    public MultiScaleMelLoss(int sampleRate, int nMels = 64, int[]? scales = null)
    {
        _scales = (scales ?? DefaultScales).Select(n => (n, hann_window(n).DetachFromDisposeScope(),
            tensor(Audio.MelFilterbank.Create(n / 2 + 1, 0, sampleRate / 2, nMels, sampleRate, allowEmptyBands: true), [n / 2 + 1, nMels]).DetachFromDisposeScope())).ToArray();
    }

    /// <summary>Log-mel magnitude (B, frames, n_mels) of audio (B, T) at one scale.</summary>
    public static Tensor LogMel(Tensor audio, int nFft, Tensor window, Tensor mel)
    {
        var spec = stft(audio, nFft, hop_length: nFft / 4, window: window, center: true, return_complex: true); // (B, F, frames)
        var mag = view_as_real(spec).pow(Scalars.Two).sum(-1).add(MagnitudeFloor, Scalars.One).sqrt();          // (B, F, frames)
        return mag.transpose(1, 2).matmul(mel).add(EpsScalar, Scalars.One).log();                               // (B, frames, n_mels)
    }

    /// <param name="predicted">(B, 1, T)</param>
    /// <param name="target">(B, 1, T)</param>
    /// <returns>scalar loss</returns>
    public Tensor Compute(Tensor predicted, Tensor target)
    {
        var p = predicted.squeeze(1); var t = target.squeeze(1);
        Tensor? total = null;
        foreach (var (n, w, m) in _scales)
        {
            var l = (LogMel(p, n, w, m) - LogMel(t, n, w, m)).abs().mean();
            total = total is null ? l : total.add(l, Scalars.One);
        }
        using var scales = _scales.Length.ToScalar();
        return total!.div(scales);
    }

    public void Dispose()
    {
        foreach (var (_, w, m) in _scales) { w.Dispose(); m.Dispose(); }
    }
}
