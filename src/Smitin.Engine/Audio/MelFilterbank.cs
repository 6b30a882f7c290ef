namespace Smitin.Audio;

/// <summary>
/// Triangular mel filterbank on the HTK mel scale, without area normalisation: the same matrix as torchaudio's
/// <c>torchaudio.functional.melscale_fbanks(n_freqs, f_min, f_max, n_mels, sample_rate, norm=None, mel_scale="htk")</c>
/// (the default of <c>torchaudio.transforms.MelSpectrogram</c>, which audiocraft's mel losses use).
/// mel(f) = 2595 · log10(1 + f / 700).
/// </summary>
public static class MelFilterbank
{
    /// <summary>Hz → HTK mel.</summary>
    public static double HzToMel(double hz) => 2595.0 * Math.Log10(1.0 + hz / 700.0);

    /// <summary>HTK mel → Hz.</summary>
    public static double MelToHz(double mel) => 700.0 * (Math.Pow(10.0, mel / 2595.0) - 1.0);

    /// <summary>
    /// The filterbank as a row-major (n_freqs, n_mels) matrix: a power spectrogram (…, n_freqs, frames) maps to mel
    /// energies by <c>fbᵀ · S</c>. n_freqs = n_fft / 2 + 1; bin k sits at k · (sample_rate // 2) / (n_freqs − 1) Hz
    /// (torchaudio's <c>linspace(0, sample_rate // 2, n_freqs)</c>).
    /// </summary>
    /// <exception cref="SmitinException">Bad sizes or frequencies, or a filter that covers no FFT bin (too many mels
    /// for the FFT size); the message names the option.</exception>
    /// <param name="allowEmptyBands">keep bands that cover no bin as all-zero columns (torchaudio warns and does the same)
    /// instead of refusing them; a multi-scale training loss with small FFTs needs it</param>
    /// <param name="nFreqs">FFT bins n_fft / 2 + 1</param>
    /// <param name="sampleRate">sample rate in Hz</param>
    /// <param name="nMels">mel bands</param>
    /// <param name="fMax">highest frequency in Hz (at most the Nyquist frequency)</param>
    /// <param name="fMin">lowest frequency in Hz</param>
    public static float[] Create(int nFreqs, double fMin, double fMax, int nMels, int sampleRate, bool allowEmptyBands = false)
    {
        if (nFreqs < 2) throw new SmitinException($"mel filterbank: n_freqs = {nFreqs}, expected ≥ 2 (n_fft ≥ 2)");
        if (nMels < 1) throw new SmitinException($"mel filterbank: n_mels = {nMels}, expected ≥ 1");
        if (sampleRate <= 0) throw new SmitinException($"mel filterbank: sample rate {sampleRate}, expected > 0");
        if (!(fMin >= 0) || !(fMax > fMin) || fMax > sampleRate / 2.0)
            throw new SmitinException($"mel filterbank: f_min {fMin} Hz, f_max {fMax} Hz; expected 0 ≤ f_min < f_max ≤ sample_rate / 2 = {sampleRate / 2.0} Hz");
        double top = sampleRate / 2; // integer division, as torchaudio's sample_rate // 2
        double mMin = HzToMel(fMin), mMax = HzToMel(fMax);
        var fPts = new double[nMels + 2];
        for (int i = 0; i < fPts.Length; i++) fPts[i] = MelToHz(mMin + (mMax - mMin) * i / (nMels + 1));
        var fb = new float[nFreqs * nMels];
        var covered = new bool[nMels];
        for (int k = 0; k < nFreqs; k++)
        {
            double f = top * k / (nFreqs - 1);
            for (int m = 0; m < nMels; m++)
            {
                double down = (f - fPts[m]) / (fPts[m + 1] - fPts[m]);     // rising edge: -(f_pts[m] - f) / f_diff[m]
                double up = (fPts[m + 2] - f) / (fPts[m + 2] - fPts[m + 1]); // falling edge
                double v = Math.Max(0.0, Math.Min(down, up));
                fb[k * nMels + m] = (float)v;
                if (v > 0) covered[m] = true;
            }
        }
        int empty = Array.IndexOf(covered, false);
        if (empty >= 0 && !allowEmptyBands)
            throw new SmitinException($"mel filterbank: mel band {empty} ({fPts[empty]:F1}–{fPts[empty + 2]:F1} Hz) covers no FFT bin; " +
                                      $"use fewer mels than {nMels} or a larger n_fft than {2 * (nFreqs - 1)}");
        return fb;
    }

    /// <summary>Centre frequency in Hz of each of the <paramref name="nMels"/> bands.</summary>
    public static double[] CentresHz(double fMin, double fMax, int nMels)
    {
        double mMin = HzToMel(fMin), mMax = HzToMel(fMax);
        return Enumerable.Range(1, nMels).Select(i => MelToHz(mMin + (mMax - mMin) * i / (nMels + 1))).ToArray();
    }
}
