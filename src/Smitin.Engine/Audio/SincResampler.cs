using Smitin.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace Smitin.Audio;

/// <summary>
/// Band-limited resampling exactly as <c>torchaudio.functional.resample</c> (torchaudio 0.13, default
/// <c>sinc_interpolation</c>: Hann-windowed sinc): both rates divided by their gcd, a polyphase kernel of
/// <c>new</c> phases built in the waveform's dtype, the input zero-padded by <c>width</c> / <c>width + orig</c> and
/// convolved with stride <c>orig</c>, the output cut to <c>ceil(N · new / orig)</c> samples. MusicGen Melody's
/// feature extractor uses it with rolloff 0.945 and lowpass filter width 24 before the chroma; the general-purpose
/// <see cref="AudioClip.Resample"/> is a different (streaming) resampler.
/// </summary>
public static class SincResampler
{
    /// <param name="waveform">(..., N) float32 samples</param>
    /// <param name="origFreq">input rate, Hz</param>
    /// <param name="newFreq">output rate, Hz</param>
    /// <param name="lowpassFilterWidth">zero crossings of the sinc on each side (torchaudio's default 6)</param>
    /// <param name="rolloff">cut-off as a fraction of the lower Nyquist rate (torchaudio's default 0.99)</param>
    /// <returns>(..., ceil(N · new / orig)) float32; the same rate returns the input unchanged (a new handle)</returns>
    /// <exception cref="SmitinException">a rate is not positive, the width is &lt; 1 or the rolloff is outside (0, 1]</exception>
    public static Tensor Resample(Tensor waveform, int origFreq, int newFreq, int lowpassFilterWidth = 6, double rolloff = 0.99)
    {
        if (origFreq <= 0 || newFreq <= 0) throw new SmitinException($"resample: rates must be positive, got {origFreq} Hz → {newFreq} Hz");
        if (lowpassFilterWidth < 1) throw new SmitinException($"resample: lowpass filter width must be ≥ 1, got {lowpassFilterWidth}");
        if (!(rolloff > 0 && rolloff <= 1)) throw new SmitinException($"resample: rolloff must be in (0, 1], got {rolloff}");
        if (origFreq == newFreq) return waveform.alias();
        using var scope = torch.NewDisposeScope();
        int gcd = Gcd(origFreq, newFreq);
        int orig = origFreq / gcd, @new = newFreq / gcd;
        var (kernel, width) = Kernel(orig, @new, lowpassFilterWidth, rolloff, waveform.dtype, waveform.device); // (new, 1, 2w + orig)

        var shape = waveform.shape;
        long length = shape[^1];
        var flat = waveform.reshape(-1, length);                                                   // (W, N)
        var padded = nn.functional.pad(flat, [width, width + orig]);                               // (W, N + 2w + orig)
        var conv = nn.functional.conv1d(padded.unsqueeze(1), kernel, stride: orig);               // (W, new, frames)
        var resampled = conv.transpose(1, 2).reshape(flat.shape[0], -1);                           // (W, frames · new)
        long target = (long)Math.Ceiling((double)@new * length / orig);
        resampled = resampled.narrow(1, 0, Math.Min(target, resampled.shape[1]));
        var outShape = shape.Take(shape.Length - 1).Append(resampled.shape[1]).ToArray();
        return resampled.reshape(outShape).MoveToOuterDisposeScope();
    }

    /// <summary>torchaudio's <c>_get_sinc_resample_kernel</c> for reduced rates: (new, 1, 2·width + orig) and width.</summary>
    static (Tensor Kernel, long Width) Kernel(int orig, int @new, int lowpassFilterWidth, double rolloff, ScalarType dtype, Device device)
    {
        double baseFreq = Math.Min(orig, @new) * rolloff;
        long width = (long)Math.Ceiling(lowpassFilterWidth * orig / baseFreq);
        double scale = baseFreq / orig;
        // held scalars (Scalars), each of the type the arithmetic used: integers stay integer scalars
        using var idxStart = (-width).ToScalar();
        using var idxStop = (width + orig).ToScalar();
        using var origScalar = orig.ToScalar();
        using var newScalar = @new.ToScalar();
        using var minusNew = (-@new).ToScalar();
        using var baseFreqScalar = baseFreq.ToScalar();
        using var minusFilterWidth = (-lowpassFilterWidth).ToScalar();
        using var filterWidth = lowpassFilterWidth.ToScalar();
        using var pi = Math.PI.ToScalar();
        using var scaleScalar = scale.ToScalar();
        var idx = torch.arange(idxStart, idxStop, Scalars.One, dtype: dtype, device: device).unsqueeze(0).unsqueeze(0).div(origScalar); // (1, 1, 2w + orig)
        var t = torch.arange(Scalars.Zero, minusNew, Scalars.MinusOne, dtype: dtype, device: device).unsqueeze(1).unsqueeze(1)
            .div(newScalar).add(idx, Scalars.One);                                                                  // (new, 1, 2w + orig)
        t = t.mul(baseFreqScalar);
        t = t.clamp(minusFilterWidth, filterWidth);
        var window = torch.cos(t.mul(pi).div(filterWidth).div(Scalars.Two)).pow(Scalars.Two);
        t = t.mul(pi);
        var kernels = torch.where(t.eq(Scalars.Zero), torch.ones_like(t), t.sin() / t);
        kernels = kernels * window.mul(scaleScalar);
        return (kernels, width);
    }

    static int Gcd(int a, int b)
    {
        while (b != 0) (a, b) = (b, a % b);
        return a;
    }
}
