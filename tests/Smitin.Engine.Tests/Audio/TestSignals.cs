namespace Smitin.Tests.Audio;

/// <summary>Small signal generators and analysers shared by the audio and data tests.</summary>
static class TestSignals
{
    public static float[] Sine(double hz, double seconds, int rate, float amp = 0.5f, double startSeconds = 0)
    {
        int n = (int)Math.Round(seconds * rate);
        int start = (int)Math.Round(startSeconds * rate);
        var x = new float[n];
        for (int i = start; i < n; i++) x[i] = (float)(amp * Math.Sin(2 * Math.PI * hz * (i - start) / rate));
        return x;
    }

    public static float[] Noise(int n, int seed, float amp = 0.3f)
    {
        var r = new Random(seed);
        var x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float)((r.NextDouble() * 2 - 1) * amp);
        return x;
    }

    /// <summary>Frequency of a pure tone from interpolated positive-going zero crossings over [from, to).</summary>
    public static double ZeroCrossingFrequency(float[] x, int rate, int from = 0, int to = -1)
    {
        if (to < 0) to = x.Length;
        double first = -1, last = -1; int count = 0;
        for (int i = Math.Max(from, 1); i < to; i++)
        {
            if (x[i - 1] < 0 && x[i] >= 0)
            {
                double t = i - 1 + x[i - 1] / (x[i - 1] - x[i]);
                if (first < 0) first = t; else count++;
                last = t;
            }
        }
        return count / ((last - first) / rate);
    }

    /// <summary>First frame whose absolute value exceeds <paramref name="threshold"/>, or -1.</summary>
    public static int FirstAbove(float[] x, float threshold)
    {
        for (int i = 0; i < x.Length; i++) if (Math.Abs(x[i]) > threshold) return i;
        return -1;
    }
}
