namespace Smitin.Models.Melody;

/// <summary>
/// The chroma filter bank of MusicGen Melody's feature extractor: Hugging Face <c>audio_utils.chroma_filter_bank</c>
/// (librosa's <c>filters.chroma</c>) with tuning 0, power 2, weighting (5, 2) and rows starting at C, computed in
/// float64 like the reference and handed out as float32 (the reference casts it with <c>.float()</c>).
/// </summary>
public static class ChromaFilterBank
{
    /// <summary>
    /// Builds the (numChroma, nFft/2 + 1) bank: bin frequencies <c>linspace(0, sr, nFft, endpoint=False)[1:]</c> in
    /// octaves above 440/16 Hz (the 0 Hz bin placed 1.5 octaves below bin 1), Gaussian bumps
    /// <c>exp(-0.5 (2 d / width)^2)</c> with width = max(distance to the next bin, 1), every column L2-normalised,
    /// weighted by a Gaussian in octaves centred on octave 5 with half-width 2, rows rolled so row 0 = C, truncated to
    /// the one-sided bins.
    /// </summary>
    /// <param name="nFft">STFT size (the reference passes <c>num_frequency_bins = n_fft</c>)</param>
    /// <param name="numChroma">bins per octave (12)</param>
    /// <param name="samplingRate">Hz</param>
    /// <returns>row-major (numChroma, nFft/2 + 1) float64 values</returns>
    public static double[,] Compute(int nFft, int numChroma, int samplingRate)
    {
        if (nFft < 2 || numChroma < 1 || samplingRate <= 0)
            throw new SmitinException($"chroma filter bank: n_fft {nFft} must be ≥ 2, num_chroma {numChroma} ≥ 1 and sampling_rate {samplingRate} > 0");
        int n = nFft;                                        // num_frequency_bins, DC included
        var freqBins = new double[n];                        // chroma units (numChroma per octave)
        double step = (double)samplingRate / n;
        for (int i = 1; i < n; i++)
        {
            double f = i * step;                             // linspace(0, sr, n, endpoint=False)[i]
            freqBins[i] = numChroma * Math.Log2(f / (440.0 / 16));
        }
        freqBins[0] = freqBins[1] - 1.5 * numChroma;
        var width = new double[n];
        for (int i = 0; i < n - 1; i++) width[i] = Math.Max(freqBins[i + 1] - freqBins[i], 1.0);
        width[n - 1] = 1;

        double half = Math.Round(numChroma / 2.0, MidpointRounding.ToEven);
        var bank = new double[numChroma, n];
        for (int f = 0; f < n; f++)
        {
            double norm = 0;
            for (int c = 0; c < numChroma; c++)
            {
                double d = PyRemainder(freqBins[f] - c + half + 10 * numChroma, numChroma) - half;
                double x = 2 * d / width[f];
                double v = Math.Exp(-0.5 * x * x);
                bank[c, f] = v;
                norm += v * v;
            }
            norm = Math.Sqrt(norm);
            double weight = Math.Exp(-0.5 * Math.Pow((freqBins[f] / numChroma - 5.0) / 2.0, 2));
            for (int c = 0; c < numChroma; c++) bank[c, f] = bank[c, f] / norm * weight;
        }

        int shift = 3 * (numChroma / 12), bins = nFft / 2 + 1;  // np.roll(..., -shift, axis=0), then [:, :bins]
        var result = new double[numChroma, bins];
        for (int c = 0; c < numChroma; c++)
        {
            int src = ((c + shift) % numChroma + numChroma) % numChroma;
            for (int f = 0; f < bins; f++) result[c, f] = bank[src, f];
        }
        return result;
    }

    /// <summary>numpy's <c>remainder</c>: the result has the sign of the divisor.</summary>
    static double PyRemainder(double a, double b)
    {
        double r = a % b;
        return r != 0 && (r < 0) != (b < 0) ? r + b : r;
    }
}
