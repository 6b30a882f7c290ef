using Smitin.Audio;
using Smitin.Data;
using Smitin.IO;
using Smitin.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace Smitin.Judging;

/// <summary>
/// The trait judge's audio features: fixed statistics of a clip's log-mel spectrogram, computed with TorchSharp's
/// <c>torch.stft</c> and <see cref="MelFilterbank"/>. They never look at a language model or its probes.
///
/// Per clip (mono, at <see cref="JudgeFeatureOptions.SampleRate"/>), with S = |STFT|² (Hann, centred, reflect padding):
/// <list type="number">
/// <item>L = 10·log10(max(fbᵀ·S, 1e-10)) in dB, floored at max(L) − top_db, then the clip's mean over all bands and frames
/// subtracted. The features are therefore independent of the clip's gain (except below the floor).</item>
/// <item><c>logmel_mean[m]</c>, <c>logmel_std[m]</c>: mean and population std of L over frames, per mel band (timbre, register, sustain).</item>
/// <item>Positive spectral flux per band group: e_g(n) = mean over the group's bands of max(0, L[m, n+1] − L[m, n]);
/// <c>flux_mean</c>, <c>flux_std</c>, <c>flux_p95</c> (nearest-rank 95th percentile) of e_g over frames (onsets, attacks).</item>
/// <item><c>periodicity[g]</c>: the largest normalised autocorrelation r(τ)/r(0) of the mean-removed e_g for lags τ in
/// [period_min, period_max] seconds (a steady beat in that band).</item>
/// <item><c>logmel_delta_std[m]</c>: population std over frames of ΔL per mel band (fast fluctuation: plucks and
/// repeated notes against sustained tones).</item>
/// <item><c>decay_mean[g]</c>: mean over frames of the group's negative flux max(0, −ΔL) (how fast sounds die away).</item>
/// <item><c>peakiness[g]</c>: mean over frames of 10·log10(max_k S / mean_k S) over the group's linear-frequency bins
/// (S relative to the clip's peak, floored top_db below it)
/// (harmonic, peaky spectra against noise-like ones).</item>
/// </list>
/// Vector order is <see cref="JudgeFeatureOptions.FeatureNames"/>; length <see cref="JudgeFeatureOptions.Dimension"/>.
/// </summary>
public static class JudgeFeatures
{
    // held scalars (see Scalars): a temporary one may be freed during the native call
    static readonly Scalar Ten = 10.0.ToScalar();
    static readonly Scalar MelFloor = 1e-10.ToScalar();
    static readonly Scalar PowerFloor = 1e-20.ToScalar();
    static readonly Scalar PeriodicityEpsilon = 1e-6.ToScalar();

    /// <summary>Shortest clip (seconds) the features are defined for: 1 s, or 2 · period_min if longer.</summary>
    public static double MinimumSeconds(JudgeFeatureOptions o) => Math.Max(1.0, 2 * o.PeriodMinSeconds);

    /// <summary>
    /// Features of a batch of equal-length mono clips.
    /// </summary>
    /// <param name="audio">(B, T) float audio at <see cref="JudgeFeatureOptions.SampleRate"/>, any device.</param>
    /// <returns>(B, D) row-major float32 features, D = <see cref="JudgeFeatureOptions.Dimension"/>.</returns>
    /// <exception cref="SmitinException">Wrong shape, clips shorter than <see cref="MinimumSeconds"/>, or non-finite samples.</exception>
    /// <param name="o">feature settings (rate, frame sizes, bands)</param>
    public static float[] Compute(Tensor audio, JudgeFeatureOptions o)
    {
        o.Validate();
        if (audio.dim() != 2 || audio.shape[0] < 1)
            throw new SmitinException($"judge features: audio has shape {WeightLoader.Shape(audio.shape)}, expected (batch, samples) mono audio");
        long samples = audio.shape[1];
        double seconds = (double)samples / o.SampleRate;
        if (seconds < MinimumSeconds(o))
            throw new SmitinException($"judge features: clips of {seconds:0.###} s ({samples} samples at {o.SampleRate} Hz) are too short; expected at least {MinimumSeconds(o):0.###} s");

        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        var x = audio.detach().to(ScalarType.Float32).cpu();                                   // (B, T)
        if (!x.isfinite().all().item<bool>())
            throw new SmitinException("judge features: audio has a NaN or infinite sample; expected finite audio");
        int nFreqs = o.NFft / 2 + 1;
        var window = torch.hann_window(o.NFft);                                                // (n_fft), periodic
        var spec = torch.stft(x, o.NFft, o.HopLength, window: window, center: true, return_complex: true); // (B, F, N)
        // |X|² as a product (square() would pass a temporary Scalar 2; see Scalars)
        var magnitude = spec.abs();                                                            // (B, F, N)
        var power = magnitude * magnitude;                                                     // (B, F, N)
        var fb = torch.tensor(MelFilterbank.Create(nFreqs, o.FMinHz, o.FMaxHz, o.Mels, o.SampleRate), new long[] { nFreqs, o.Mels }); // (F, M)
        var mel = torch.matmul(fb.t(), power);                                                 // (B, M, N)
        var db = mel.clamp_min(MelFloor).log10().mul(Ten);                                     // (B, M, N)
        var peak = db.amax(new long[] { 1, 2 }, keepdim: true);                                // (B, 1, 1)
        using var topDb = o.TopDb.ToScalar();
        db = torch.maximum(db, peak.sub(topDb));
        db = db - db.mean(new long[] { 1, 2 }, keepdim: true);                                 // gain-invariant

        var bandMean = db.mean(new long[] { 2 });                                              // (B, M)
        var bandStd = db.std(2, unbiased: false);                                              // (B, M)

        long frames = db.shape[2];
        var flux = (db.narrow(2, 1, frames - 1) - db.narrow(2, 0, frames - 1)).relu();         // (B, M, N-1)
        var groups = torch.tensor(GroupMatrix(o), new long[] { o.Mels, o.Groups });            // (M, G), rows average a group
        var env = torch.matmul(flux.transpose(1, 2), groups).transpose(1, 2).contiguous();     // (B, G, N-1)
        long n = env.shape[2];
        var fluxMean = env.mean(new long[] { 2 });                                             // (B, G)
        var fluxStd = env.std(2, unbiased: false);                                             // (B, G)
        var sorted = env.sort(2).Values;                                                       // (B, G, N-1)
        var p95 = sorted.select(2, (long)Math.Round(0.95 * (n - 1)));                          // (B, G)

        var centred = env - env.mean(new long[] { 2 }, keepdim: true);                         // (B, G, n)
        var spectrum = torch.fft.rfft(centred, 2 * n, 2);                                      // (B, G, n+1) complex
        var spectrumMagnitude = spectrum.abs();
        var ac = torch.fft.irfft(spectrumMagnitude * spectrumMagnitude, 2 * n, 2).narrow(2, 0, n); // (B, G, n): r(τ), τ = 0..n-1
        var r0 = ac.narrow(2, 0, 1);                                                           // (B, G, 1)
        long lagMin = Math.Max(1, (long)Math.Round(o.PeriodMinSeconds * o.FramesPerSecond));
        long lagMax = Math.Min(n - 1, (long)Math.Round(o.PeriodMaxSeconds * o.FramesPerSecond));
        var periodicity = (ac.narrow(2, lagMin, lagMax - lagMin + 1) / r0.add(PeriodicityEpsilon, Scalars.One)).amax(new long[] { 2 }); // (B, G)

        var delta = db.narrow(2, 1, frames - 1) - db.narrow(2, 0, frames - 1);                  // (B, M, N-1)
        var deltaStd = delta.std(2, unbiased: false);                                          // (B, M)
        var decay = torch.matmul((-delta).relu().transpose(1, 2), groups).transpose(1, 2).mean(new long[] { 2 }); // (B, G)
        // Peakiness per group on the linear-frequency power: 10·log10(max_k S / mean_k S), averaged over frames; S is
        // relative to the clip's peak and floored top_db below it, so the ratio does not depend on the gain.
        var floor = Math.Pow(10, -o.TopDb / 10);
        var relative = torch.maximum(power / power.amax(new long[] { 1, 2 }, keepdim: true).clamp_min(PowerFloor), torch.tensor(floor)); // (B, F, N)
        var binGroups = BinGroups(o, nFreqs);
        var peaks = new List<Tensor>();
        for (int g = 0; g < o.Groups; g++)
        {
            var band = relative.narrow(1, binGroups[g].Start, binGroups[g].Count);             // (B, F_g, N)
            var ratio = band.amax(new long[] { 1 }) / band.mean(new long[] { 1 });             // (B, N), ≥ 1
            peaks.Add(ratio.log10().mul(Ten).mean(new long[] { 1 }, keepdim: true));             // (B, 1)
        }
        var peakiness = torch.cat(peaks, 1);                                                   // (B, G)

        var features = torch.cat(new[] { bandMean, bandStd, fluxMean, fluxStd, p95, periodicity, deltaStd, decay, peakiness }, 1); // (B, D)
        return features.contiguous().data<float>().ToArray();
    }

    /// <summary>Features of clips of any rate, channels and (equal or different) length: each is downmixed to mono (mean)
    /// and resampled to the feature rate (<see cref="AudioClip.Conform"/>).</summary>
    /// <returns>(B, D) row-major features in clip order.</returns>
    public static float[] Compute(IReadOnlyList<AudioClip> clips, JudgeFeatureOptions o)
    {
        var mono = clips.Select(c => c.Conform(1, o.SampleRate)).ToArray();
        int d = o.Dimension;
        var result = new float[mono.Length * d];
        // Equal-length clips share one batched pass.
        foreach (var group in mono.Select((c, i) => (Clip: c, Index: i)).GroupBy(p => p.Clip.Frames))
        {
            var items = group.ToArray();
            var flat = new float[items.Length * (long)group.Key];
            for (int i = 0; i < items.Length; i++) items[i].Clip.Samples[0].CopyTo(flat, (long)i * group.Key);
            using var t = torch.tensor(flat, new long[] { items.Length, group.Key });           // (B, T)
            var f = Compute(t, o);
            for (int i = 0; i < items.Length; i++) Array.Copy(f, (long)i * d, result, (long)items[i].Index * d, d);
        }
        return result;
    }

    /// <summary>FFT bins [Start, Start + Count) of each band group (bin k at k · rate / n_fft Hz).</summary>
    static (int Start, int Count)[] BinGroups(JudgeFeatureOptions o, int nFreqs)
    {
        double binHz = (double)o.SampleRate / o.NFft;
        var edges = new List<int> { Math.Max(1, (int)Math.Ceiling(o.FMinHz / binHz)) };
        foreach (var e in o.BandEdgesHz) edges.Add((int)Math.Ceiling(e / binHz));
        edges.Add(Math.Min(nFreqs, (int)Math.Floor(o.FMaxHz / binHz) + 1));
        return Enumerable.Range(0, o.Groups).Select(g => (edges[g], Math.Max(1, edges[g + 1] - edges[g]))).ToArray();
    }

    /// <summary>(M, G) row-major: column g averages the mel bands whose centre lies in group g.</summary>
    static float[] GroupMatrix(JudgeFeatureOptions o)
    {
        var centres = MelFilterbank.CentresHz(o.FMinHz, o.FMaxHz, o.Mels);
        var group = centres.Select(f => o.BandEdgesHz.Count(e => f >= e)).ToArray();
        var m = new float[o.Mels * o.Groups];
        for (int g = 0; g < o.Groups; g++)
        {
            int count = group.Count(x => x == g);
            for (int b = 0; b < o.Mels; b++) if (group[b] == g) m[b * o.Groups + g] = 1f / count;
        }
        return m;
    }
}
