using static TorchSharp.torch;

namespace Smitin.Training;

/// <summary>
/// Triangular mel filters on the HTK mel scale (mel = 2595 log10(1 + f / 700)), as <c>torchaudio.functional.melscale_fbanks</c>
/// with <c>norm=None, mel_scale="htk"</c>: (n_fft / 2 + 1, n_mels), columns are filters over linear-frequency bins.
/// </summary>
public static class MelFilterBank
{
    public static Tensor Create(int nFft, int nMels, int sampleRate, double fMin = 0, double? fMax = null)
    {
        double top = fMax ?? sampleRate / 2.0;
        int bins = nFft / 2 + 1;
        static double ToMel(double f) => 2595 * Math.Log10(1 + f / 700);
        static double ToHz(double m) => 700 * (Math.Pow(10, m / 2595) - 1);
        double mMin = ToMel(fMin), mMax = ToMel(top);
        var points = Enumerable.Range(0, nMels + 2).Select(i => ToHz(mMin + (mMax - mMin) * i / (nMels + 1))).ToArray();
        var fb = new float[bins * nMels];
        for (int b = 0; b < bins; b++)
        {
            double f = (double)sampleRate / 2 * b / (bins - 1);
            for (int m = 0; m < nMels; m++)
            {
                double lo = points[m], mid = points[m + 1], hi = points[m + 2];
                double down = (f - lo) / (mid - lo), up = (hi - f) / (hi - mid);
                fb[b * nMels + m] = (float)Math.Max(0, Math.Min(down, up));
            }
        }
        return tensor(fb, [bins, nMels]);
    }
}
