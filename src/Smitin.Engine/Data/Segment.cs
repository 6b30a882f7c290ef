using Smitin.Audio;

namespace Smitin.Data;

/// <summary>
/// One probe example: a short clip with or without the trait.
/// For stem collections the positive and the negative of a pair share <see cref="TrackId"/> and
/// <see cref="StartSeconds"/> and are yielded one after the other (positive first).
/// </summary>
/// <param name="Audio">The clip, already at the dataset's sample rate and channel count.</param>
/// <param name="HasTrait">True for a positive (trait present).</param>
/// <param name="TrackId">The song it comes from; the train/validation split never separates one track.</param>
/// <param name="StartSeconds">Where the segment starts in the source track, in seconds.</param>
/// <param name="Origin">What the audio is, for logs: e.g. "sum of 4 stems", "sum without drums", or a file path.</param>
public sealed record Segment(AudioClip Audio, bool HasTrait, string TrackId, double StartSeconds, string Origin);
