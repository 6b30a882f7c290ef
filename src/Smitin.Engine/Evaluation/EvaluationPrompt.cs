using Smitin.Audio;

namespace Smitin.Evaluation;

/// <summary>
/// One matched evaluation window of P + C seconds from a song that has the trait: the mixture <paramref name="With"/>
/// the trait stem and the same mixture <paramref name="Without"/> it, at the model's rate and channel count. Adding
/// rows continue the first P seconds of <see cref="Without"/>; removal rows continue the first P seconds of
/// <see cref="With"/>; the real continuations are the last C seconds of either.
/// </summary>
public sealed record EvaluationPrompt(string TrackId, double StartSeconds, AudioClip With, AudioClip Without)
{
    /// <summary><c>TRACK @ START s</c>.</summary>
    public override string ToString() => $"{TrackId} @ {StartSeconds:0.##} s";
}
