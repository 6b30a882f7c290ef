namespace Smitin.Generation;

/// <summary>
/// Where a generation is, handed to head hooks through <see cref="Models.Decoder.HookContext.Generation"/> so an
/// intervention can act on some steps and some rows only.
/// </summary>
/// <param name="Step">decoder step, 0 .. TotalSteps-1; step s predicts the token at delayed position PrefixLength + s</param>
/// <param name="TotalSteps">steps in this generation</param>
/// <param name="PrefixLength">delayed columns fed at step 0 (start token + prompt frames)</param>
/// <param name="BatchSize">B, the number of prompts</param>
/// <param name="Guided">classifier-free guidance is on: the batch has 2B rows, conditional rows [0, B) then unconditional rows [B, 2B)</param>
/// <param name="Window">window of a long-form generation (0 for the first and for every single-window generation);
/// windows after the first continue the same piece (<see cref="WindowPlan"/>)</param>
/// <param name="StepOffset">decoder steps run in earlier windows of the same piece (0 in the first window)</param>
public sealed record GenerationContext(int Step, int TotalSteps, int PrefixLength, int BatchSize, bool Guided, int Window = 0, int StepOffset = 0)
{
    /// <summary>Step of the whole piece, counting every window's steps (its prefill included): the time axis of the
    /// steering schedule and the monitor trace.</summary>
    public int GlobalStep => StepOffset + Step;

    /// <summary>Step 0 of a window after the first: the window re-reads the previous window's tail.</summary>
    public bool IsContinuationPrefill => Step == 0 && Window > 0;

    /// <summary>Step 0 runs the whole prefix (start token and prompt frames) through the decoder at once.</summary>
    public bool IsPrefill => Step == 0;

    /// <summary>Rows in the decoder batch: 2B with guidance, B without.</summary>
    public int Rows => Guided ? 2 * BatchSize : BatchSize;

    /// <summary>Decoder rows of the conditional pass ([0, B) in both layouts).</summary>
    public Range ConditionalRows => 0..BatchSize;

    /// <summary>Decoder rows of the unconditional pass ([B, 2B) with guidance, empty without).</summary>
    public Range UnconditionalRows => Guided ? BatchSize..(2 * BatchSize) : BatchSize..BatchSize;

    /// <summary>
    /// MusicGen Melody: rows of the conditioning prefix (chroma_length + text rows) fed before the codes at step 0, so
    /// code positions start after it; 0 for plain MusicGen (cross-attention). Steering never shifts these positions.
    /// </summary>
    public int ConditioningLength { get; init; }
}

/// <summary>Progress of a generation, reported after every decoder step.</summary>
/// <param name="Step">steps done in the whole piece (every window counted)</param>
/// <param name="TotalSteps">steps of the whole piece</param>
/// <param name="Elapsed">since the generation started</param>
public sealed record GenerationProgress(int Step, int TotalSteps, TimeSpan Elapsed)
{
    /// <summary>Window under way (0-based) and the number of windows (1 unless the piece is longer than a window).</summary>
    public int Window { get; init; }
    /// <summary>Windows of the piece (1 unless it is longer than one window).</summary>
    public int Windows { get; init; } = 1;

    /// <summary>Progress of the piece in [0, 1]: <see cref="Step"/> / <see cref="TotalSteps"/>.</summary>
    public double Fraction => TotalSteps == 0 ? 1 : (double)Step / TotalSteps;
}
