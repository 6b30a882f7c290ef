using Smitin.Audio;
using Smitin.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace Smitin.Models.Melody;

/// <summary>
/// MusicGen Melody's chroma feature extractor, as the reference computes it
/// (<c>MusicgenMelodyFeatureExtractor.__call__</c> and <c>_torch_extract_fbank_features</c>, transformers 4.40):
/// 1. a melody at another rate is resampled to <see cref="ChromaConfig.SamplingRate"/>
///    (<c>torchaudio.functional.resample</c>, rolloff 0.945, lowpass width 24: <see cref="SincResampler"/>);
///    channels are averaged to mono;
/// 2. every melody is cut to <see cref="ChromaConfig.MaxSamples"/> and the batch is zero-padded (on the waveform) to the
///    longest one, so a shorter melody gets trailing frames computed on silence;
/// 3. power STFT: periodic Hann window of n_fft, centred (reflect padding n_fft/2), one-sided, divided by Σw²
///    (<c>torchaudio.transforms.Spectrogram(normalized=True)</c>); a signal shorter than n_fft is first zero-padded to it;
/// 4. chroma = filter bank × power, each frame divided by its maximum (eps 1e-6), then one-hot of the argmax.
/// The source separation the reference can apply to Demucs stems is not here: give a melody with drums and bass
/// already removed (see docs/melody.md).
/// </summary>
public sealed class ChromaExtractor : IDisposable
{
    static readonly Scalar NormFloor = 1e-6.ToScalar(); // held (Scalars): the floor of the per-frame maximum

    readonly Tensor _filters; // (C, n_fft/2 + 1) float32
    readonly Tensor _window;  // (n_fft) float32

    /// <summary>The chroma settings of <c>preprocessor_config.json</c>.</summary>
    public ChromaConfig Config { get; }

    /// <summary>Builds the STFT window and the chroma filter bank of <paramref name="config"/>.</summary>
    /// <exception cref="SmitinException">the configuration is invalid (the message names the field)</exception>
    public ChromaExtractor(ChromaConfig config)
    {
        Config = config;
        var bank = ChromaFilterBank.Compute(config.NFft, config.FeatureSize, config.SamplingRate);
        int c = bank.GetLength(0), f = bank.GetLength(1);
        var flat = new float[c * f];
        for (int i = 0; i < c; i++)
            for (int j = 0; j < f; j++) flat[i * f + j] = (float)bank[i, j];
        _filters = torch.tensor(flat, [c, f]).DetachFromDisposeScope();
        _window = torch.hann_window(config.NFft, periodic: true, dtype: ScalarType.Float32).DetachFromDisposeScope();
    }

    /// <summary>The filter bank (C, n_fft/2 + 1) float32 (the reference's <c>chroma_filters</c>); owned by the extractor.</summary>
    public Tensor FilterBank => _filters;

    /// <summary>Chroma frames a melody of <paramref name="samples"/> samples at <see cref="ChromaConfig.SamplingRate"/> gives alone.</summary>
    public int FramesFor(long samples)
    {
        long n = Math.Max(Math.Min(samples, Config.MaxSamples), Config.NFft);
        return (int)(1 + n / Config.HopLength);
    }

    /// <summary>Chroma of a batch of clips (any rate and channel count; each is resampled and averaged to mono).</summary>
    /// <exception cref="SmitinException">the batch is empty or a clip has no samples</exception>
    public ChromaFeatures Extract(IReadOnlyList<AudioClip> melodies)
    {
        if (melodies.Count == 0) throw new SmitinException("melody: give at least one melody");
        using var scope = torch.NewDisposeScope();
        var mono = new Tensor[melodies.Count];
        for (int i = 0; i < melodies.Count; i++)
        {
            var clip = melodies[i];
            if (clip.Frames == 0) throw new SmitinException($"melody {i + 1}: the clip has no samples");
            mono[i] = Mono(clip.ToTensor(), clip.SampleRate, $"melody {i + 1}");                // (N)
        }
        return FromMono(mono);
    }

    /// <summary>Chroma of a batch of waveforms.</summary>
    /// <param name="waveforms">per melody (N) or (channels, N) float samples</param>
    /// <param name="samplingRate">their rate in Hz; resampled when it differs from <see cref="ChromaConfig.SamplingRate"/></param>
    /// <exception cref="SmitinException">a waveform is not 1-D/2-D, is empty, or the rate is not positive</exception>
    public ChromaFeatures Extract(IReadOnlyList<Tensor> waveforms, int samplingRate)
    {
        if (waveforms.Count == 0) throw new SmitinException("melody: give at least one melody");
        if (samplingRate <= 0) throw new SmitinException($"melody: sampling rate must be positive, got {samplingRate}");
        using var scope = torch.NewDisposeScope();
        var mono = new Tensor[waveforms.Count];
        for (int i = 0; i < waveforms.Count; i++)
        {
            var w = waveforms[i];
            if (w.dim() is not (1 or 2) || w.shape[^1] == 0)
                throw new SmitinException($"melody {i + 1}: waveform has shape [{string.Join(", ", w.shape)}], expected (samples) or (channels, samples) with samples > 0");
            mono[i] = Mono(w.dim() == 1 ? w.unsqueeze(0) : w, samplingRate, $"melody {i + 1}");
        }
        return FromMono(mono);
    }

    /// <summary>(C, N) at <paramref name="rate"/> → (N') mono float32 at the extractor's rate, cut to n_samples.</summary>
    Tensor Mono(Tensor channels, int rate, string what)
    {
        var x = channels.to(ScalarType.Float32, CPU);
        if (!x.isfinite().all().item<bool>()) throw new SmitinException($"{what}: the waveform holds NaN or infinite samples");
        if (rate != Config.SamplingRate) x = SincResampler.Resample(x, rate, Config.SamplingRate, lowpassFilterWidth: 24, rolloff: 0.945);
        x = x.shape[0] == 1 ? x[0] : x.mean([0]);                                                  // (N)
        if (x.shape[0] > Config.MaxSamples) x = x.narrow(0, 0, Config.MaxSamples);
        return x;
    }

    ChromaFeatures FromMono(Tensor[] mono)
    {
        long longest = mono.Max(m => m.shape[0]);
        var batch = torch.stack(mono.Select(m => m.shape[0] == longest ? m
            : nn.functional.pad(m, [0, longest - m.shape[0]], value: Config.PaddingValue)).ToArray()); // (B, N)
        var (raw, norm, onehot) = Compute(batch);
        return new ChromaFeatures(raw.MoveToOuterDisposeScope(), norm.MoveToOuterDisposeScope(), onehot.MoveToOuterDisposeScope());
    }

    /// <summary>Steps 3-4 on an already padded mono batch (B, N) at the extractor's rate.</summary>
    (Tensor Raw, Tensor Normalized, Tensor OneHot) Compute(Tensor batch)
    {
        int nFft = Config.NFft;
        long n = batch.shape[1];
        if (n < nFft)
        {
            long pad = nFft - n;
            batch = nn.functional.pad(batch, [pad / 2, pad / 2 + pad % 2]);
        }
        var stft = torch.stft(batch, nFft, hop_length: Config.HopLength, win_length: nFft, window: _window, center: true,
            pad_mode: PaddingModes.Reflect, normalized: false, onesided: true, return_complex: true);   // (B, n_fft/2+1, F) complex
        stft = stft / _window.pow(Scalars.Two).sum().sqrt();
        var power = stft.abs().pow(Scalars.Two);                                                   // (B, n_fft/2+1, F)
        var raw = torch.matmul(_filters, power);                                                   // (B, C, F)
        var max = raw.abs().amax([1], keepdim: true).clamp_min(NormFloor);                         // (B, 1, F)
        var norm = (raw / max).transpose(1, 2).contiguous();                                       // (B, F, C)
        var idx = norm.argmax(-1, keepdim: true);                                                  // (B, F, 1)
        var onehot = torch.zeros_like(norm).scatter_(-1, idx, torch.ones_like(norm));              // (B, F, C)
        return (raw, norm, onehot);
    }

    /// <summary>Frees the window and filter tensors.</summary>
    public void Dispose()
    {
        _filters.Dispose();
        _window.Dispose();
    }
}
