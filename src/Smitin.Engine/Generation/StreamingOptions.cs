namespace Smitin.Generation;

/// <summary>
/// How a generation hands out audio while it runs (<c>MusicGen.GenerateStreaming</c>,
/// <c>MusicGen.StreamAsync</c>): a chunk after every <see cref="PlaySteps"/> new frames, as Hugging Face's
/// <c>MusicgenStreamer(play_steps)</c>, holding the audio that no later frame can change.
/// </summary>
public sealed record StreamingOptions
{
    /// <summary>Seconds of frames between chunks when <see cref="PlaySteps"/> is not given.</summary>
    public const double DefaultChunkSeconds = 0.5;

    /// <summary>Frames (decoder steps) generated between two chunks (Hugging Face's <c>play_steps</c>); null =
    /// <see cref="DefaultChunkSeconds"/> worth of frames. Smaller gives the first sound sooner and decodes more often
    /// (each decode re-runs a margin of about a dozen frames, see <see cref="Models.Codec.EncodecStreamDecoder"/>).</summary>
    public int? PlaySteps { get; init; }

    /// <exception cref="OptionException">play-steps is not positive (names <c>play-steps</c>)</exception>
    public void Validate()
    {
        if (PlaySteps is { } n) OptionRange.Check("play-steps", n, 1, int.MaxValue, "frames generated between chunks");
    }

    /// <summary>Frames between chunks at <paramref name="frameRate"/> frames per second.</summary>
    public int ResolvePlaySteps(double frameRate) => PlaySteps ?? Math.Max(1, (int)Math.Round(DefaultChunkSeconds * frameRate));
}
