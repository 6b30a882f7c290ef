namespace Smitin.Tests.Data;

/// <summary>
/// Band energies and a percussive-transient counter for checking synthetic stems, built from RBJ-cookbook biquads
/// (4th-order Butterworth = two cascaded sections with Q 0.5412 and 1.3066).
/// </summary>
static class BandAnalysis
{
    sealed class Biquad
    {
        readonly double b0, b1, b2, a1, a2;
        double x1, x2, y1, y2;
        public Biquad(bool highPass, double hz, double q, int rate)
        {
            double w = 2 * Math.PI * hz / rate, cos = Math.Cos(w), alpha = Math.Sin(w) / (2 * q), a0 = 1 + alpha;
            double k = highPass ? (1 + cos) / 2 : (1 - cos) / 2;
            b0 = k / a0; b1 = (highPass ? -(1 + cos) : 1 - cos) / a0; b2 = k / a0;
            a1 = -2 * cos / a0; a2 = (1 - alpha) / a0;
        }
        public double Step(double x)
        {
            double y = b0 * x + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2;
            x2 = x1; x1 = x; y2 = y1; y1 = y;
            return y;
        }
    }

    /// <summary>The signal through a 4th-order Butterworth high-pass or low-pass at <paramref name="hz"/>.</summary>
    public static double[] Filter(float[] x, int rate, double hz, bool highPass)
    {
        var s1 = new Biquad(highPass, hz, 0.5412, rate);
        var s2 = new Biquad(highPass, hz, 1.3066, rate);
        var y = new double[x.Length];
        for (int i = 0; i < x.Length; i++) y[i] = s2.Step(s1.Step(x[i]));
        return y;
    }

    static double Energy(IEnumerable<double> x) => x.Sum(v => v * v);

    /// <summary>Share of the signal's energy below <paramref name="hz"/>.</summary>
    public static double FractionBelow(float[] x, int rate, double hz) =>
        Energy(Filter(x, rate, hz, highPass: false)) / Math.Max(1e-30, Energy(x.Select(v => (double)v)));

    /// <summary>Share of the signal's energy above <paramref name="hz"/>.</summary>
    public static double FractionAbove(float[] x, int rate, double hz) =>
        Energy(Filter(x, rate, hz, highPass: true)) / Math.Max(1e-30, Energy(x.Select(v => (double)v)));

    /// <summary>
    /// Percussive transients: 8 ms frames of the signal above 5 kHz whose level jumps by at least 15 dB over the
    /// quietest of the previous 4 frames and reaches at least −45 dBFS. Returns onsets per second (refractory 50 ms).
    /// </summary>
    public static double TransientsPerSecond(float[] x, int rate, double cutoffHz = 5000)
    {
        var hf = Filter(x, rate, cutoffHz, highPass: true);
        int frame = rate / 125;
        int n = hf.Length / frame;
        var db = new double[n];
        for (int f = 0; f < n; f++)
        {
            double e = 0;
            for (int i = f * frame; i < (f + 1) * frame; i++) e += hf[i] * hf[i];
            db[f] = 10 * Math.Log10(e / frame + 1e-20);
        }
        int count = 0, last = -100;
        for (int f = 4; f < n; f++)
        {
            double floor = Math.Min(Math.Min(db[f - 1], db[f - 2]), Math.Min(db[f - 3], db[f - 4]));
            if (db[f] >= -45 && db[f] - floor >= 15 && f - last >= 6) { count++; last = f; }
        }
        return count / ((double)x.Length / rate);
    }
}
