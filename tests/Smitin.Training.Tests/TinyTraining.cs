using Smitin.Training;

namespace Smitin.Training.Tests;

/// <summary>
/// The whole pipeline (data → codec → text → LM → matched pairs → export) run once on a tiny configuration: 4 songs of 3 s, a codec
/// with 32-entry codebooks, a 2-layer d32 LM, 40 steps each (about half a minute on 2 cores).
/// </summary>
public sealed class TinyTraining : IDisposable
{
    public static SynthModelConfig Config { get; } = new()
    {
        Songs = 4, SongSeconds = 3, HeldOutSongs = 2, CodecSteps = 40, CodecWarmupSteps = 15, CodecBatch = 4,
        CodecSegmentSeconds = 0.5, CodebookSize = 32, LmSteps = 40, LmBatch = 4, LmWindowSeconds = 1, LmWarmupSteps = 5,
        LmLearningRate = 3e-3, PairSteps = 10, PairBatch = 2, PairFrames = 8, TextVocabSize = 60, Hidden = 32, Heads = 4, Layers = 2, Ffn = 64, MaxPositions = 128,
        Seed = 5, CheckpointMinutes = 0,
    };

    readonly TempDir _dir = new();
    public string Work => _dir["work"];
    public string Model => _dir["model"];

    public TinyTraining() => TrainingPipeline.Run(Config, Work, Model, TrainingStage.Export, null, CancellationToken.None);

    public void Dispose() => _dir.Dispose();
}
