namespace Smitin;

/// <summary>
/// The one default of every seed: <c>--seed</c> of every CLI command and magic, and the <c>Seed</c> of every option
/// record (<see cref="Generation.GenerationOptions"/>, <see cref="Data.Synth.SynthOptions"/>,
/// <see cref="Data.SegmentOptions"/>, <see cref="Judging.TraitJudgeOptions"/>, <see cref="Evaluation.EvaluationOptions"/>).
/// A seed left unset (null) is drawn at random when the operation starts, and the operation records the seed it used
/// (the CLI prints it on stderr, the magics show it, and every artefact that records its seed holds it: generation
/// results, synth.json and song.json, the probe set's split seed, the judge file, results.json), so any run can be
/// repeated with <c>--seed N</c>. docs/options.md, row <c>--seed</c>.
/// </summary>
public static class RandomSeed
{
    /// <summary>The default as the table and every help state it: "random, printed and recorded".</summary>
    public const string Default = "random, printed and recorded";

    /// <summary>Drawn seeds lie in [0, <see cref="DrawnBelow"/>): non-negative, and small enough that derived seeds
    /// (the evaluation's seed · 1000 + batch) stay far inside a <see cref="long"/>.</summary>
    public const int DrawnBelow = int.MaxValue;

    /// <summary>The given seed, or a fresh random one in [0, <see cref="DrawnBelow"/>) when none is given.</summary>
    public static int Resolve(int? seed) => seed ?? Random.Shared.Next(0, DrawnBelow);

    /// <summary>The given seed, or a fresh random one in [0, <see cref="DrawnBelow"/>) when none is given.</summary>
    public static long Resolve(long? seed) => seed ?? Random.Shared.Next(0, DrawnBelow);
}
