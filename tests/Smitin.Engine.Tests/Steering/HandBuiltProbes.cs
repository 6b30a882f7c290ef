using Smitin.Probing;

namespace Smitin.Tests.Steering;

/// <summary>
/// Probe sets built by hand (exact W, b, accuracies, θ, σ) for the steering tests, through the probe set's internal
/// constructor: the steering code reads exactly these numbers.
/// </summary>
static class HandBuiltProbes
{
    public static ProbeModelIdentity Identity(int layers, int heads, int headDim) =>
        new("test-model", "0000000000000000", layers, heads, headDim);

    /// <summary>Random probes (see below) for a real model: its identity and probe-site shape.</summary>
    public static ProbeSet For(Smitin.Models.MusicGen model, string trait, int seed = 1)
    {
        var d = model.Config.Decoder;
        return Random(trait, d.NumHiddenLayers, d.NumAttentionHeads, d.HeadDim, seed, model: ProbeModelIdentity.Of(model));
    }

    /// <summary>
    /// Random probes: w ~ N(0, scale²) per head, b ~ N(0, 0.1²), distinct accuracies in [0.55, 0.95], θ = w/|w|
    /// (probe-weight direction), σ in [0.5, 1.5].
    /// </summary>
    public static ProbeSet Random(string trait, int layers, int heads, int headDim, int seed, double tau = 0.5,
        float weightScale = 0.3f, ProbeDirection direction = ProbeDirection.ProbeWeight, ProbeModelIdentity? model = null)
    {
        var rng = new System.Random(seed);
        int n = layers * heads;
        var w = new float[n * headDim];
        for (int i = 0; i < w.Length; i++) w[i] = (float)(Gaussian(rng) * weightScale);
        var b = Enumerable.Range(0, n).Select(_ => (float)(Gaussian(rng) * 0.1)).ToArray();
        var order = Enumerable.Range(0, n).OrderBy(_ => rng.Next()).ToArray();
        var acc = new float[n];
        for (int r = 0; r < n; r++) acc[order[r]] = (float)(0.55 + 0.4 * r / Math.Max(1, n - 1));
        var sigma = Enumerable.Range(0, n).Select(_ => (float)(0.5 + rng.NextDouble())).ToArray();
        var theta = ProbeStatistics.UnitDirections(w, headDim);
        return Create(trait, layers, heads, headDim, w, b, acc, theta, sigma, tau, direction, model);
    }

    public static ProbeSet Create(string trait, int layers, int heads, int headDim, float[] w, float[] b, float[] acc,
        float[] theta, float[] sigma, double tau, ProbeDirection direction = ProbeDirection.ProbeWeight, ProbeModelIdentity? model = null)
    {
        var omega = ProbeStatistics.SoftWeights(acc, 3);
        var monitor = ProbeStatistics.TopHeads(acc, Math.Min(16, acc.Length));
        return new ProbeSet(trait, model ?? Identity(layers, heads, headDim), new ProbeProvenance { Source = "hand-built" },
            new ProbeTrainingOptions(), direction, 3, tau, false, w, b, acc, (float[])acc.Clone(), theta, sigma, omega,
            monitor, null, null);
    }

    static double Gaussian(System.Random rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
}
