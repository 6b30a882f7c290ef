using Smitin.Data;

namespace Smitin.Probing;

/// <summary>How <see cref="ActivationCapture"/> runs.</summary>
public sealed record CaptureOptions
{
    /// <summary>Segments per decoder forward pass (segments of equal length are batched). Default 8.</summary>
    public int BatchSize { get; init; } = 8;
    /// <summary>Segment → codes cache; null = no codes caching. Default: <c>CacheDirs.Root/codes</c>.</summary>
    public CodesCache? CodesCache { get; init; } = new();
    /// <summary>Segment → activations cache; null = no activation caching. Default: <c>CacheDirs.Root/activations</c>.</summary>
    public ActivationCache? ActivationCache { get; init; } = new();

    /// <summary>No disk caches at all (tests, one-off runs).</summary>
    public static CaptureOptions Uncached => new() { CodesCache = null, ActivationCache = null };

    /// <summary>Largest batch: a batch's codes, decoder activations and per-head captures are held at once.</summary>
    public const int MaxBatchSize = 1024;

    /// <exception cref="SmitinException">the batch size is out of range; the message names the option</exception>
    public void Validate() => OptionRange.Check("batch-size", BatchSize, 1, MaxBatchSize, "segments per decoder forward pass");
}
