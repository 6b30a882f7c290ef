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

    /// <summary>Checks the values.</summary>
    /// <exception cref="OptionException"><c>batch-size</c> below 1</exception>
    public void Validate()
    {
        if (BatchSize < 1) throw new OptionException("batch-size", $"expected >= 1, got {BatchSize}");
    }
}
