using Smitin.Evaluation;
using Smitin.Judging;
using Smitin.Probing;
using Smitin.Data;
using Smitin.Tests.Judging;
using Smitin.Tests.Support;

namespace Smitin.Tests.Evaluation;

/// <summary>
/// A tiny evaluation on the random fixture model (results are meaningless there; the plumbing is what is tested):
/// the judge songs (14 × 6 s, 16 kHz), probes for both directions from one capture, a judge trained without the codec,
/// 3 adding prompts and 2 removal prompts of 1 s + 1 s in batches of 2 (so two seeds per row), SMITIN α 5 only.
/// </summary>
public static class EvaluationFixture
{
    /// <summary>Tests that steer <see cref="Model"/> run in this collection, one at a time (one steering session per decoder).</summary>
    public const string Collection = "evaluation fixture model";

    public static readonly EvaluationOptions Options = new()
    {
        Trait = "drums", PromptSeconds = 1, ContinuationSeconds = 1, Prompts = 3, RemovalPrompts = 2, BatchSize = 2, Seed = 7,
        SmitinAlphas = [5], Examples = 2,
        // the order these tests were written with (probe rows first; the default is mass-mean first)
        Directions = [ProbeDirection.ProbeWeight, ProbeDirection.MassMean],
    };

    static readonly Lazy<Smitin.Models.MusicGen> OwnModel = new(() => TinyModel.Load(), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>A model instance of its own: steering hooks are one session per decoder, other tests use the shared one.</summary>
    public static Smitin.Models.MusicGen Model => OwnModel.Value;

    static readonly Lazy<(IReadOnlyList<ProbeSet> Probes, TraitJudge Judge)> Inputs = new(() =>
    {
        Native.TorchRuntime.Ensure();
        var model = Model;
        var dataset = ProbeDataset.FromStems(JudgeSongs.Root, "drums", new SegmentOptions { SampleRate = model.SampleRate, Channels = 1, ValidationFraction = 0.3, Seed = 0 });
        var probes = ProbeTrainer.TrainDirections(model, dataset, [ProbeDirection.ProbeWeight, ProbeDirection.MassMean],
            new ProbeTrainerOptions { Capture = CaptureOptions.Uncached });
        // The song split these tests were written with (the judge's default was 0.25 before --validation had one default).
        var judge = TraitJudge.Train(null, JudgeSongs.Root, new TraitJudgeOptions { Trait = "drums", Seed = 0, ValidationFraction = 0.25, CalibrateOnCodec = false });
        return (probes, judge);
    }, LazyThreadSafetyMode.ExecutionAndPublication);

    public static IReadOnlyList<ProbeSet> Probes => Inputs.Value.Probes;
    public static TraitJudge Judge => Inputs.Value.Judge;

    static readonly Lazy<EvaluationResult> First = new(() => Run(Options), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The evaluation with <see cref="Options"/> (run once per test process).</summary>
    public static EvaluationResult Result => First.Value;

    public static EvaluationResult Run(EvaluationOptions options) =>
        SteeringEvaluation.Run(Model, JudgeSongs.Root, Probes, Judge, options);
}

/// <summary>Runs the tests that share <see cref="EvaluationFixture.Model"/> one at a time.</summary>
[CollectionDefinition(EvaluationFixture.Collection)]
public sealed class EvaluationCollection;
