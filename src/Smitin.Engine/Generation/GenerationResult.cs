using static TorchSharp.torch;

namespace Smitin.Generation;

/// <summary>
/// What a generation produced and exactly how: the codes, the audio when a codec decoded them, the seed and every
/// option used. Owns its tensors (CPU): dispose it.
/// </summary>
public sealed record GenerationResult : IDisposable
{
    /// <summary>(B, K, F) int64 codebook codes, delay pattern removed, audio-prompt frames included (continuation).</summary>
    public required Tensor Codes { get; init; }
    /// <summary>(B, K, L) the delayed sequence the decoder saw (of the last window when there were several) (start column, pad/start tokens where the pattern forces them).</summary>
    public required Tensor Delayed { get; init; }
    /// <summary>(B, K, L) the delay pattern (of the last window when there were several): -1 where a token was generated, otherwise the forced or prompt token.</summary>
    public required Tensor Pattern { get; init; }
    /// <summary>(B, C, T) float32 waveform decoded from <see cref="Codes"/>, when a codec was available.</summary>
    public Tensor? Audio { get; internal set; }
    /// <summary>Sample rate of <see cref="Audio"/> (0 without audio).</summary>
    public int SampleRate { get; internal set; }
    /// <summary>Seed of the sampling generator (also in <see cref="Options"/>).</summary>
    public required long Seed { get; init; }
    /// <summary>The options as used: <see cref="GenerationOptions.Seed"/> and <see cref="GenerationOptions.MaxNewTokens"/> filled in
    /// (the steps of every window together).</summary>
    public required GenerationOptions Options { get; init; }
    /// <summary>Text prompts, one per batch item (empty when the generation was driven by tensors).</summary>
    public IReadOnlyList<string> Texts { get; init; } = [];
    /// <summary>Audio-prompt frames at the start of <see cref="Codes"/> (0 for text-to-music).</summary>
    public int PromptFrames { get; init; }
    /// <summary>How the piece was cut into windows (one window unless it was longer than the model's window).</summary>
    public WindowPlan? Plan { get; init; }
    /// <summary>With several windows: each window's codes (B, K, F_w) as it produced them, its prompt included (window
    /// w's first frames are window w − 1's last ones). Empty for a single window.</summary>
    public IReadOnlyList<Tensor> WindowCodes { get; init; } = [];
    /// <summary>(steps, B, K, V) scores after guidance and before sampling, if <see cref="GenerationOptions.RecordScores"/>.</summary>
    public Tensor? StepScores { get; init; }
    /// <summary>Per-step decoder inputs and raw logits, if <see cref="GenerationOptions.RecordTrace"/>.</summary>
    public GenerationTrace? Trace { get; init; }
    /// <summary>The resolved steering plan and the monitor trace, when the generation was steered or monitored.</summary>
    public Steering.SteeringRecord? Steering { get; init; }

    /// <summary>Samples B.</summary>
    public int BatchSize => (int)Codes.shape[0];
    /// <summary>Code frames per sample, the audio prompt included.</summary>
    public int Frames => (int)Codes.shape[2];

    /// <summary>Frees every tensor of the result.</summary>
    public void Dispose()
    {
        Codes.Dispose(); Delayed.Dispose(); Pattern.Dispose();
        Audio?.Dispose(); StepScores?.Dispose(); Trace?.Dispose();
        foreach (var c in WindowCodes) c.Dispose();
    }
}

/// <summary>Per-step decoder inputs and logits (rows = 2B with guidance: conditional rows first).</summary>
/// <param name="StepInputs">(steps, rows, K) the last delayed column fed at each step</param>
/// <param name="StepLogits">(steps, rows, K, V) raw last-position logits</param>
public sealed record GenerationTrace(Tensor StepInputs, Tensor StepLogits) : IDisposable
{
    /// <summary>Frees both tensors.</summary>
    public void Dispose() { StepInputs.Dispose(); StepLogits.Dispose(); }
}
