using System.Globalization;

namespace Smitin.Judging;

/// <summary>
/// Settings of the trait judge's audio features (see <see cref="JudgeFeatures"/>). A judge file stores them, so a loaded
/// judge computes exactly the features it was trained on. <see cref="ForSampleRate"/> gives the defaults.
/// </summary>
public sealed record JudgeFeatureOptions
{
    /// <summary>Sample rate in Hz the features are computed at (the model's rate; other audio is resampled to it).</summary>
    public int SampleRate { get; init; }

    /// <summary>STFT size (Hann window of the same length). Default: the power of two nearest to 32 ms.</summary>
    public int NFft { get; init; }

    /// <summary>STFT hop in samples. Default n_fft / 4 (8 ms).</summary>
    public int HopLength { get; init; }

    /// <summary>Mel bands (HTK scale, <see cref="Audio.MelFilterbank"/>). Default 64.</summary>
    public int Mels { get; init; } = 64;

    /// <summary>Lowest mel frequency in Hz. Default 0.</summary>
    public double FMinHz { get; init; }

    /// <summary>Highest mel frequency in Hz. Default sample_rate / 2.</summary>
    public double FMaxHz { get; init; }

    /// <summary>Log-mel floor below the clip's loudest bin, in dB (as torchaudio's <c>AmplitudeToDB(top_db=80)</c>). Default 80.</summary>
    public double TopDb { get; init; } = 80;

    /// <summary>
    /// Interior edges in Hz of the band groups for spectral flux and onset periodicity, ascending; the groups are
    /// [f_min, e₀), [e₀, e₁), …, [eₙ, f_max], each mel band assigned by its centre. Default 200, 800, 3000 Hz (four groups:
    /// kick/bass, low-mid, presence, cymbals and noise).
    /// </summary>
    public IReadOnlyList<double> BandEdgesHz { get; init; } = [200, 800, 3000];

    /// <summary>Onset-envelope autocorrelation lags searched for periodicity, in seconds (0.2–1.0 s: 60–300 BPM beats and their subdivisions).</summary>
    public double PeriodMinSeconds { get; init; } = 0.2;

    /// <summary>See <see cref="PeriodMinSeconds"/>.</summary>
    public double PeriodMaxSeconds { get; init; } = 1.0;

    /// <summary>The defaults for a sample rate: n_fft = 2^round(log2(0.032 · rate)), hop = n_fft / 4, 64 mels over [0, rate / 2].</summary>
    /// <exception cref="SmitinException">Rate outside 4000–192000 Hz.</exception>
    public static JudgeFeatureOptions ForSampleRate(int sampleRate)
    {
        if (sampleRate is < 4000 or > 192000) throw new SmitinException($"judge features: sample rate {sampleRate} Hz, expected 4000–192000 Hz");
        int nFft = 1 << (int)Math.Round(Math.Log2(0.032 * sampleRate));
        return new JudgeFeatureOptions { SampleRate = sampleRate, NFft = nFft, HopLength = nFft / 4, FMaxHz = sampleRate / 2.0 };
    }

    /// <summary>Number of band groups: interior edges + 1.</summary>
    public int Groups => BandEdgesHz.Count + 1;

    /// <summary>Feature vector length: 3 · mels (log-mel mean, std, delta std) + 6 · groups (flux mean, std, p95, periodicity, decay, peakiness).</summary>
    public int Dimension => 3 * Mels + 6 * Groups;

    /// <summary>STFT frames per second.</summary>
    public double FramesPerSecond => (double)SampleRate / HopLength;

    /// <summary>Names of the features in vector order, e.g. <c>logmel_mean[3]</c>, <c>flux_p95[200-800Hz]</c>, <c>peakiness[3000-8000Hz]</c>.</summary>
    public IReadOnlyList<string> FeatureNames()
    {
        var names = new List<string>(Dimension);
        for (int m = 0; m < Mels; m++) names.Add($"logmel_mean[{m}]");
        for (int m = 0; m < Mels; m++) names.Add($"logmel_std[{m}]");
        var groups = GroupNames();
        foreach (var stat in new[] { "flux_mean", "flux_std", "flux_p95" })
            foreach (var g in groups) names.Add($"{stat}[{g}]");
        foreach (var g in groups) names.Add($"periodicity[{g}]");
        for (int m = 0; m < Mels; m++) names.Add($"logmel_delta_std[{m}]");
        foreach (var g in groups) names.Add($"decay_mean[{g}]");
        foreach (var g in groups) names.Add($"peakiness[{g}]");
        return names;
    }

    IEnumerable<string> GroupNames()
    {
        var edges = new List<double> { FMinHz };
        edges.AddRange(BandEdgesHz);
        edges.Add(FMaxHz);
        var c = CultureInfo.InvariantCulture;
        for (int g = 0; g + 1 < edges.Count; g++) yield return string.Create(c, $"{edges[g]:0.##}-{edges[g + 1]:0.##}Hz");
    }

    /// <summary>Checks every setting; the message names the setting (as stored in a judge file) and what was expected.</summary>
    /// <exception cref="SmitinException">A setting is out of range.</exception>
    public void Validate()
    {
        if (SampleRate is < 4000 or > 192000) throw new SmitinException($"judge features: sample_rate {SampleRate}, expected 4000–192000 Hz");
        if (NFft < 16 || (NFft & (NFft - 1)) != 0) throw new SmitinException($"judge features: n_fft {NFft}, expected a power of two ≥ 16");
        if (HopLength < 1 || HopLength > NFft) throw new SmitinException($"judge features: hop_length {HopLength}, expected 1..n_fft ({NFft})");
        if (Mels < 1 || Mels > NFft / 2 + 1) throw new SmitinException($"judge features: mels {Mels}, expected 1..n_fft/2+1 ({NFft / 2 + 1})");
        if (!(FMinHz >= 0) || !(FMaxHz > FMinHz) || FMaxHz > SampleRate / 2.0)
            throw new SmitinException($"judge features: f_min {FMinHz} Hz, f_max {FMaxHz} Hz; expected 0 ≤ f_min < f_max ≤ sample_rate / 2 ({SampleRate / 2.0} Hz)");
        if (!(TopDb > 0) || double.IsInfinity(TopDb)) throw new SmitinException($"judge features: top_db {TopDb}, expected a positive number of dB");
        if (BandEdgesHz is null) throw new SmitinException("judge features: band_edges_hz missing, expected a list of ascending frequencies");
        for (int i = 0; i < BandEdgesHz.Count; i++)
        {
            double lo = i == 0 ? FMinHz : BandEdgesHz[i - 1];
            if (!(BandEdgesHz[i] > lo) || !(BandEdgesHz[i] < FMaxHz))
                throw new SmitinException($"judge features: band_edges_hz[{i}] = {BandEdgesHz[i]} Hz, expected ascending edges strictly inside ({FMinHz}, {FMaxHz}) Hz");
        }
        if (!(PeriodMinSeconds > 0) || !(PeriodMaxSeconds > PeriodMinSeconds) || double.IsInfinity(PeriodMaxSeconds))
            throw new SmitinException($"judge features: period range [{PeriodMinSeconds}, {PeriodMaxSeconds}] s, expected 0 < min < max");
        var centres = Audio.MelFilterbank.CentresHz(FMinHz, FMaxHz, Mels);
        var edges = BandEdgesHz.Prepend(double.NegativeInfinity).Append(double.PositiveInfinity).ToArray();
        for (int g = 0; g + 1 < edges.Length; g++)
            if (!centres.Any(f => f >= edges[g] && f < edges[g + 1]))
                throw new SmitinException($"judge features: band group {g} ({(g == 0 ? FMinHz : edges[g])}–{(g + 1 == edges.Length - 1 ? FMaxHz : edges[g + 1])} Hz) holds no mel band centre; use more mels or wider groups");
    }
}
