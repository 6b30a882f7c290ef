using System.Globalization;
using Smitin.Data;

namespace Smitin.Probing;

/// <summary>How <see cref="ActivationCapture"/> runs.</summary>
public sealed record CaptureOptions
{
    /// <summary>Segments per decoder forward pass (segments of equal length are batched). Default <see cref="DefaultBatchSize"/>.</summary>
    public int BatchSize { get; init; } = DefaultBatchSize;

    /// <summary>
    /// 16: the one default of <c>--batch-size</c> (docs/options.md, with the measurement behind it), items per decoder
    /// forward pass: segments when capturing, prompts when evaluating (<see cref="Evaluation.EvaluationOptions.BatchSize"/>).
    /// Generation gets faster with the batch; capture does not, and holds more memory per segment in flight.
    /// </summary>
    public const int DefaultBatchSize = 16;
    /// <summary>Segment → codes cache; null = no codes caching. Default: <c>CacheDirs.Root/codes</c>.</summary>
    public CodesCache? CodesCache { get; init; } = new();
    /// <summary>Segment → activations cache; null = no activation caching. Default: <c>CacheDirs.Root/activations</c>.</summary>
    public ActivationCache? ActivationCache { get; init; } = new();

    /// <summary>
    /// Most segments one probing run captures (train + validation together; a stem pair is two). Every captured
    /// segment's z stays in memory until the probes are built: <see cref="BytesPerSegment"/> = layers × heads × head_dim
    /// × 4 bytes (float32; 98,304 B for musicgen-small, 393,216 B for musicgen-large), held about twice at the peak
    /// (train and validation are joined for σ and the mass-mean direction). Default <see cref="DefaultMaxSegments"/>.
    /// </summary>
    public int MaxSegments { get; init; } = DefaultMaxSegments;

    /// <summary>
    /// 20,000 segments: 1.97 GB of activations for musicgen-small (7.9 GB for musicgen-large), and about 5.5 hours of
    /// capture at the measured 1 segment/s of musicgen-small shapes on 2 cores (docs/probing.md). The paper's datasets
    /// fit with <c>--max-segments-per-track</c> (MUSDB18-HQ: 150 tracks × 60 pairs = 18,000 segments).
    /// </summary>
    public const int DefaultMaxSegments = 20_000;

    /// <summary>No disk caches at all (tests, one-off runs).</summary>
    public static CaptureOptions Uncached => new() { CodesCache = null, ActivationCache = null };

    /// <summary>Largest batch: a batch's codes, decoder activations and per-head captures are held at once.</summary>
    public const int MaxBatchSize = 1024;

    /// <exception cref="SmitinException">the batch size or the segment limit is out of range; the message names the option</exception>
    public void Validate()
    {
        OptionRange.Check("batch-size", BatchSize, 1, MaxBatchSize, "segments per decoder forward pass");
        OptionRange.Check("max-segments", MaxSegments, 1, int.MaxValue, "segments captured in one probing run, train and validation together");
    }

    /// <summary>Bytes of activations one captured segment holds: layers × heads × head_dim × 4 (float32).</summary>
    public static long BytesPerSegment(int layers, int heads, int headDim) => 4L * layers * heads * headDim;

    /// <summary>
    /// Most segments whose activations one <see cref="ActivationSet"/> can hold whatever <see cref="MaxSegments"/> says:
    /// its values are one float array, at most <see cref="Array.MaxLength"/> elements (8 GB).
    /// </summary>
    public static long ArrayLimit(int layers, int heads, int headDim) => Array.MaxLength / ((long)layers * heads * headDim);

    /// <summary>
    /// Refuses a capture of <paramref name="segments"/> segments before any of them is read or captured, saying how
    /// many were asked, the memory their activations take and the option that raises the limit.
    /// </summary>
    /// <param name="segments">segments asked (or an upper bound of them)</param>
    /// <param name="layers">decoder layers L</param>
    /// <param name="heads">attention heads per layer H</param>
    /// <param name="headDim">head dimension D</param>
    /// <param name="what">what asks for them, e.g. "stems (MUSDB18-HQ layout) at /data/musdb: up to"</param>
    /// <exception cref="OptionException">more than <see cref="MaxSegments"/> (option <c>max-segments</c>)</exception>
    /// <exception cref="SmitinException">more than <see cref="ArrayLimit"/>, which no option raises</exception>
    public void CheckSegmentCount(long segments, int layers, int heads, int headDim, string what)
    {
        var c = CultureInfo.InvariantCulture;
        long per = BytesPerSegment(layers, heads, headDim);
        string cost = string.Create(c, $"at {per:N0} bytes each ({layers} layers × {heads} heads × {headDim} head_dim × 4 bytes, float32) their activations take {Gb(segments * per)}, held about twice at the peak while the probes are built");
        long hard = ArrayLimit(layers, heads, headDim);
        if (segments > hard)
            throw new SmitinException(string.Create(c, $"{what} {segments:N0} segments: {cost}; one activation set holds at most {hard:N0} segments of this model ({Array.MaxLength:N0} float32 values, .NET's largest array), whatever --max-segments says: take fewer with --max-segments-per-track, shorter sources or a larger --segment-seconds"));
        if (segments > MaxSegments)
            throw new OptionException("max-segments", string.Create(c, $"{what} {segments:N0} segments, more than the limit of {MaxSegments:N0} ({Gb(MaxSegments * per)} of activations): {cost}. Raise the limit with --max-segments {segments} if the memory is there, or take fewer with --max-segments-per-track"));
    }

    static string Gb(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1e9:0.##} GB");
}
