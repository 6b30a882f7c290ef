using Smitin.Audio;
using static TorchSharp.torch;

namespace Smitin.Judging;

/// <summary>
/// An audio trait judge: a logistic regression on <see cref="JudgeFeatures"/> (standardised log-mel statistics) that says
/// whether a trait (a stem such as drums or bass) is audible in a clip. It is independent of the probes and of the
/// language model's activations: it reads audio only, so it can judge what steering produced. Trained by
/// <see cref="Train"/> from matched stem pairs, calibrated on codec reconstructions, stored as JSON
/// (<see cref="Save"/>, <see cref="Load"/>). See docs/judge.md.
///
/// p(trait | clip) = σ(w · (f(clip) − μ) / s + b), called present when p ≥ <see cref="Threshold"/> (0.5).
/// Clips longer than <see cref="WindowSeconds"/> are cut into half-overlapping windows of that length (the last one
/// ending at the clip's end) and the window probabilities averaged; shorter clips are judged whole.
/// </summary>
public sealed partial class TraitJudge
{
    /// <summary>Name of the judge file of a trait in a model folder: <c>judge-&lt;trait&gt;.json</c>.</summary>
    public static string DefaultFileName(string trait) => $"judge-{trait}.json";

    /// <summary>Trait the judge detects.</summary>
    public string Trait { get; }
    /// <summary>Feature settings, including the sample rate every clip is resampled to.</summary>
    public JudgeFeatureOptions Features { get; }
    /// <summary>Sample rate in Hz the judge listens at (the model's).</summary>
    public int SampleRate => Features.SampleRate;
    /// <summary>Window length in seconds the judge was trained on.</summary>
    public double WindowSeconds { get; }
    /// <summary>Per-feature standardisation mean μ (D).</summary>
    public IReadOnlyList<double> Mean { get; }
    /// <summary>Per-feature standardisation scale s (D), all positive.</summary>
    public IReadOnlyList<double> Std { get; }
    /// <summary>Logistic-regression weights w on standardised features (D).</summary>
    public IReadOnlyList<double> Weights { get; }
    /// <summary>Intercept of the logistic regression.</summary>
    public double Bias { get; }
    /// <summary>Decision threshold on p (0.5).</summary>
    public double Threshold { get; }
    /// <summary>How the judge was trained and its held-out figures.</summary>
    public TraitJudgeReport Report { get; }

    internal TraitJudge(string trait, JudgeFeatureOptions features, double windowSeconds, double[] mean, double[] std,
                        double[] weights, double bias, double threshold, TraitJudgeReport report)
    {
        Trait = trait; Features = features; WindowSeconds = windowSeconds; Mean = mean; Std = std; Weights = weights;
        Bias = bias; Threshold = threshold; Report = report;
    }

    /// <summary>p(trait) for one clip of any rate and channel count (downmixed to mono and resampled to <see cref="SampleRate"/>).</summary>
    /// <exception cref="SmitinException">The clip is shorter than <see cref="JudgeFeatures.MinimumSeconds"/>.</exception>
    public double Probability(AudioClip clip) => Probabilities([clip])[0];

    /// <summary>True when <see cref="Probability"/> ≥ <see cref="Threshold"/>.</summary>
    public bool IsPresent(AudioClip clip) => Probability(clip) >= Threshold;

    /// <summary>p(trait) for many clips (any rates, channels and lengths); equal-length windows share batched passes.</summary>
    /// <returns>One probability per clip, in order.</returns>
    /// <exception cref="SmitinException">A clip is shorter than <see cref="JudgeFeatures.MinimumSeconds"/> (the message gives its index).</exception>
    public double[] Probabilities(IReadOnlyList<AudioClip> clips)
    {
        var perClip = WindowProbabilities(clips);
        return perClip.Select(w => w.Average()).ToArray();
    }

    /// <summary>p(trait) for a batch of audio, e.g. decoded generations.</summary>
    /// <param name="audio">(B, C, T) or (B, T) float audio at <paramref name="sampleRate"/>, any device.</param>
    /// <param name="sampleRate">Rate of <paramref name="audio"/> in Hz (resampled to <see cref="SampleRate"/> if different).</param>
    /// <returns>(B) probabilities.</returns>
    public double[] Probabilities(Tensor audio, int sampleRate)
    {
        if (audio.dim() is not (2 or 3))
            throw new SmitinException($"judge: audio tensor has shape {IO.WeightLoader.Shape(audio.shape)}, expected (batch, channels, samples) or (batch, samples)");
        var clips = new AudioClip[audio.shape[0]];
        for (int i = 0; i < clips.Length; i++)
        {
            using var row = audio[i];                                                            // (C, T) or (T)
            clips[i] = AudioClip.FromTensor(row, sampleRate, $"audio[{i}]");
        }
        return Probabilities(clips);
    }

    /// <summary>The per-window probabilities of each clip (see the class summary for the windows).</summary>
    public IReadOnlyList<double[]> WindowProbabilities(IReadOnlyList<AudioClip> clips)
    {
        ArgumentNullException.ThrowIfNull(clips);
        var windows = new List<AudioClip>();
        var owner = new List<int>();
        double min = JudgeFeatures.MinimumSeconds(Features);
        for (int i = 0; i < clips.Count; i++)
        {
            var clip = clips[i] ?? throw new ArgumentNullException(nameof(clips), $"clip {i} is null");
            if (clip.DurationSeconds < min)
                throw new SmitinException($"judge: clip {i} ({clip.Describe()}) is too short; expected at least {min:0.###} s");
            foreach (var w in Windows(clip.Conform(1, SampleRate))) { windows.Add(w); owner.Add(i); }
        }
        var p = ProbabilitiesOfFeatures(JudgeFeatures.Compute(windows, Features), windows.Count);
        var result = new List<double>[clips.Count];
        for (int i = 0; i < result.Length; i++) result[i] = [];
        for (int k = 0; k < p.Length; k++) result[owner[k]].Add(p[k]);
        return result.Select(r => r.ToArray()).ToArray();
    }

    /// <summary>Windows of <see cref="WindowSeconds"/>, half-overlapping, the last ending at the clip's end; a clip no longer than one window is one window.</summary>
    IEnumerable<AudioClip> Windows(AudioClip mono)
    {
        int w = (int)Math.Round(WindowSeconds * SampleRate);
        if (mono.Frames <= w) { yield return mono; yield break; }
        int hop = Math.Max(1, w / 2), last = 0;
        for (int s = 0; s + w <= mono.Frames; s += hop) { yield return mono.Slice(s, w); last = s; }
        if (last + w < mono.Frames) yield return mono.Slice(mono.Frames - w, w);
    }

    /// <summary>σ(w · (f − μ)/s + b) for (N, D) row-major features.</summary>
    internal double[] ProbabilitiesOfFeatures(float[] features, int n) => Logistic(features, n, Mean, Std, Weights, Bias);

    static double[] Logistic(float[] features, int n, IReadOnlyList<double> mean, IReadOnlyList<double> std, IReadOnlyList<double> weights, double bias)
    {
        int d = weights.Count;
        if (features.Length != n * d) throw new SmitinException($"judge: {features.Length} feature values for {n} clips, expected {n} × {d}");
        var p = new double[n];
        for (int i = 0; i < n; i++)
        {
            double z = bias;
            for (int j = 0; j < d; j++) z += weights[j] * ((features[i * d + j] - mean[j]) / std[j]);
            p[i] = 1.0 / (1.0 + Math.Exp(-z));
        }
        return p;
    }
}
