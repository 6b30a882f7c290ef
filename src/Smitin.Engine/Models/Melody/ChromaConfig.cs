using System.Text.Json;

namespace Smitin.Models.Melody;

/// <summary>
/// Settings of the chroma feature extractor (<c>MusicgenMelodyFeatureExtractor</c>), read from the model folder's
/// <c>preprocessor_config.json</c>; a missing file or field falls back to the extractor's defaults (= the released
/// <c>facebook/musicgen-melody</c> settings).
/// </summary>
/// <param name="SamplingRate">Hz the STFT runs at; other rates are resampled first</param>
/// <param name="NFft">STFT size, also the Hann window length (<c>n_fft</c> = <c>win_length</c>)</param>
/// <param name="HopLength">samples between frames (4096 at 32 kHz = 7.8 frames/s)</param>
/// <param name="ChunkLengthSeconds">melodies are cut to <c>chunk_length × sampling_rate</c> samples (<c>n_samples</c>)</param>
/// <param name="FeatureSize">chroma bins (12)</param>
/// <param name="PaddingValue">value shorter melodies of a batch are padded with, on the waveform</param>
/// <param name="StemIndices">Demucs stems the reference keeps when given separated stems (drums and bass dropped); kept for a separator to plug in</param>
public sealed record ChromaConfig(int SamplingRate, int NFft, int HopLength, int ChunkLengthSeconds, int FeatureSize,
    double PaddingValue, int[] StemIndices)
{
    /// <summary><c>n_samples</c>: the longest melody the extractor reads, in samples at <see cref="SamplingRate"/>.</summary>
    public int MaxSamples { get; init; } = ChunkLengthSeconds * SamplingRate;

    /// <summary>Chroma frames per second (<see cref="SamplingRate"/> / <see cref="HopLength"/>).</summary>
    public double FrameRate => (double)SamplingRate / HopLength;

    /// <summary>The extractor's defaults (<c>MusicgenMelodyFeatureExtractor.__init__</c>).</summary>
    public static ChromaConfig Default => new(32000, 16384, 4096, 30, 12, 0.0, [3, 2]);

    /// <summary>Reads <c>preprocessor_config.json</c> of <paramref name="folder"/>, or the defaults when there is none.</summary>
    /// <exception cref="SmitinException">the file is not valid JSON, a field has the wrong type or a size is not positive</exception>
    public static ChromaConfig Load(string folder)
    {
        string file = Path.Combine(folder, "preprocessor_config.json");
        var d = Default;
        if (!File.Exists(file)) return d;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(file));
            var c = new ConfigReader(doc.RootElement, file, "");
            var cfg = new ChromaConfig(c.Int("sampling_rate", d.SamplingRate), c.Int("n_fft", d.NFft), c.Int("hop_length", d.HopLength),
                c.Int("chunk_length", d.ChunkLengthSeconds), c.Int("feature_size", d.FeatureSize), c.Double("padding_value", d.PaddingValue),
                c.Has("stem_indices") ? c.IntArray("stem_indices") : d.StemIndices);
            cfg = cfg with { MaxSamples = c.Int("n_samples", cfg.ChunkLengthSeconds * cfg.SamplingRate) };
            if (cfg.SamplingRate <= 0 || cfg.NFft <= 1 || cfg.HopLength <= 0 || cfg.FeatureSize <= 0 || cfg.MaxSamples <= 0)
                throw new SmitinException($"{file}: sampling_rate {cfg.SamplingRate}, n_fft {cfg.NFft}, hop_length {cfg.HopLength}, feature_size {cfg.FeatureSize} and n_samples {cfg.MaxSamples} must be positive (n_fft > 1)");
            return cfg;
        }
        catch (JsonException e)
        {
            throw new SmitinException($"{file}: not valid JSON: {e.Message}", e);
        }
    }
}
