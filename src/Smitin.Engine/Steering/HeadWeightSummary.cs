namespace Smitin.Steering;

/// <summary>The head weights ω at a glance: how many heads are shifted, how much weight they carry, the strongest.</summary>
public sealed record HeadWeightSummary
{
    /// <summary>Heads L·H.</summary>
    public required int Heads { get; init; }
    /// <summary>Heads with ω &gt; 0.</summary>
    public required int Active { get; init; }
    /// <summary>Σ ω over all heads.</summary>
    public required double Sum { get; init; }
    /// <summary>Largest ω.</summary>
    public required double Max { get; init; }
    /// <summary>Number of heads with ω ≥ 0.5.</summary>
    public required int AtLeastHalf { get; init; }
    /// <summary>Up to 8 heads with the largest ω: "L{layer}H{head}=ω".</summary>
    public required IReadOnlyList<string> Top { get; init; }

    internal static HeadWeightSummary Of(TraitIntervention t)
    {
        var w = t.HeadWeights;
        var top = Enumerable.Range(0, w.Length).Where(i => w[i] > 0).OrderByDescending(i => w[i]).ThenBy(i => i).Take(8)
            .Select(i => FormattableString.Invariant($"L{i / t.Heads}H{i % t.Heads}={w[i]:0.###}")).ToList();
        return new HeadWeightSummary
        {
            Heads = w.Length, Active = w.Count(x => x > 0), Sum = w.Sum(x => (double)x), Max = w.Length == 0 ? 0 : w.Max(),
            AtLeastHalf = w.Count(x => x >= 0.5f), Top = top,
        };
    }
}
