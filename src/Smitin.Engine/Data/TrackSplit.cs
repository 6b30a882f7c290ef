namespace Smitin.Data;

/// <summary>Seeded train/validation split by track: every segment of a track lands on the same side.</summary>
public static class TrackSplit
{
    /// <summary>
    /// Sorts the ids (ordinal), shuffles them with <c>new Random(seed)</c> and takes round(n · fraction) of them,
    /// at least one and at most n − 1 when n ≥ 2 and fraction &gt; 0, for validation. One track goes to train only.
    /// The result depends only on the set of ids, the fraction and the seed.
    /// </summary>
    public static (IReadOnlyList<string> Train, IReadOnlyList<string> Validation) Split(IEnumerable<string> trackIds, double validationFraction, int seed)
    {
        var ids = trackIds.Distinct(StringComparer.Ordinal).OrderBy(s => s, StringComparer.Ordinal).ToArray();
        if (validationFraction is < 0 or >= 1) throw new SmitinException($"validation fraction must be in [0, 1), got {validationFraction}");
        new Random(seed).Shuffle(ids);
        int nVal = ids.Length < 2 || validationFraction == 0 ? 0
            : Math.Clamp((int)Math.Round(ids.Length * validationFraction), 1, ids.Length - 1);
        var val = ids.Take(nVal).OrderBy(s => s, StringComparer.Ordinal).ToArray();
        var train = ids.Skip(nVal).OrderBy(s => s, StringComparer.Ordinal).ToArray();
        return (train, val);
    }
}
