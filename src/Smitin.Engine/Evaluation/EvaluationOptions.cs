using Smitin.Generation;
using Smitin.Probing;

namespace Smitin.Evaluation;

/// <summary>
/// Settings of the audio-continuation comparison (issue 12; the paper's §V, docs/method.md §5). Every
/// default and validation rule lives here; the CLI (<c>smitin eval</c>, <c>smitin demo</c>) uses the same names.
/// </summary>
public sealed record EvaluationOptions
{
    /// <summary>The trait (a stem name of the prompt collection, e.g. <c>drums</c>).</summary>
    public string Trait { get; init; } = "drums";
    /// <summary>Seconds of real audio given as the prompt (P). Default 2 s (100 frames at 50 Hz).</summary>
    public double PromptSeconds { get; init; } = 2.0;
    /// <summary>Seconds generated after the prompt (C). Default 3 s: the trait judge's window, so each continuation is judged whole.</summary>
    public double ContinuationSeconds { get; init; } = 3.0;
    /// <summary>
    /// Prompts per row (n): matched windows of P + C seconds, at most this many (fewer if the collection has fewer).
    /// Default <see cref="DefaultPrompts"/>.
    /// </summary>
    public int Prompts { get; init; } = DefaultPrompts;

    /// <summary>
    /// 40: the one default of <c>--prompts</c> (docs/options.md), sized so that <c>smitin demo</c> finishes in about
    /// 15 minutes on 2 cores; the paper-size table (docs/evaluation.md) passes <c>--prompts 100</c>.
    /// </summary>
    public const int DefaultPrompts = 40;
    /// <summary>Prompts per removal row (windows with the trait, steered to remove it); 0 = no removal rows. Default: as <see cref="Prompts"/>.</summary>
    public int? RemovalPrompts { get; init; }
    /// <summary>
    /// Prompts per decoder forward pass (each is 2 rows with guidance). Default <see cref="CaptureOptions.DefaultBatchSize"/>,
    /// the one <c>--batch-size</c> default. The batch also sets the sampling seeds (batch b: <see cref="Seed"/> · 1000 + b),
    /// so another batch size gives other samples.
    /// </summary>
    public int BatchSize { get; init; } = CaptureOptions.DefaultBatchSize;
    /// <summary>Seed of the sampling: batch b of every row uses seed <c>Seed · 1000 + b</c>, so rows differ only by the
    /// condition. Null = a random seed (<see cref="RandomSeed"/>), drawn when the evaluation starts and recorded in
    /// <see cref="EvaluationResult.Seed"/> (results.json).</summary>
    public long? Seed { get; init; }
    /// <summary>SMITIN strengths α, one row each (paper: 5, and 10 for text-to-music).</summary>
    public IReadOnlyList<double> SmitinAlphas { get; init; } = [5, 10];
    /// <summary>α of the report's monitor-by-s chart (<see cref="MonitorBySchedule"/>): the product's SMITIN α
    /// (<see cref="Steering.SteeringOptions.Alpha"/>, 10) when it is among <see cref="SmitinAlphas"/>, else the first.</summary>
    public double MonitorAlpha => new Steering.SteeringOptions().Alpha is var product && SmitinAlphas.Contains(product) ? product : SmitinAlphas[0];
    /// <summary>ITI strength α (ITI used 15 on LLaMA; the paper's continuation table compares at α 5).</summary>
    public double ItiAlpha { get; init; } = 5;
    /// <summary>ITI: top-K heads (capped at the model's head count).</summary>
    public int TopKHeads { get; init; } = 48;
    /// <summary>SMITIN: intervene every s-th generated step.</summary>
    public int Every { get; init; } = 5;
    /// <summary>α of the SMITIN + text row and of the removal rows.</summary>
    public double CombinedAlpha { get; init; } = 5;
    /// <summary>The text baseline's prompt; <c>{trait}</c> is replaced by the trait. The other rows use
    /// <see cref="BaseTextTemplate"/> (default: no text condition).</summary>
    public string TextTemplate { get; init; } = "with {trait}";
    /// <summary>
    /// The text of every other generated row (no control, ITI, SMITIN); <c>{trait}</c> is replaced by the trait.
    /// Default null: <b>no text condition at all</b> (<see cref="Models.MusicGen.GenerateUnconditional"/>: no
    /// cross-attention memory, guidance skipped), which is how audiocraft continues a prompt without a description
    /// (<c>descriptions=None</c>, masked to the null condition) and the condition the probes are captured in. "" is a
    /// real text instead (T5 of <c>&lt;/s&gt;</c> alone, what <c>smitin generate</c> encodes without <c>--text</c>),
    /// which a model that never saw it in training may treat as an unknown condition; "no {trait}." keeps the prompt's
    /// character on a model that adds the trait unprompted. Removal rows take no text with the default, "" otherwise.
    /// </summary>
    public string? BaseTextTemplate { get; init; }
    /// <summary>
    /// Directions evaluated (one probe set each), in table order; rows of a direction without a probe set are left out.
    /// Default mass-mean (the product's default, <see cref="ProbeSetOptions.Direction"/>) first, then probe weight; the
    /// first direction that has a probe set also draws the report's heatmap and monitor chart.
    /// </summary>
    public IReadOnlyList<ProbeDirection> Directions { get; init; } = [ProbeDirection.MassMean, ProbeDirection.ProbeWeight];
    /// <summary>Sampling settings (audiocraft's defaults: top-k 250, temperature 1, guidance 3); seed and length are set per batch.</summary>
    public GenerationOptions Generation { get; init; } = new();
    /// <summary>Prompts kept with their audio and monitor traces for the report (players), per row.</summary>
    public int Examples { get; init; } = 3;
    /// <summary>Windows quieter than this (the trait stem or the rest, RMS dBFS) are skipped, as in probing.</summary>
    public double SilenceThresholdDbfs { get; init; } = -45.0;

    /// <summary>Prompts of the removal rows: <see cref="RemovalPrompts"/>, else <see cref="Prompts"/>.</summary>
    public int ResolvedRemovalPrompts => RemovalPrompts ?? Prompts;

    /// <summary>The text of the text baseline.</summary>
    public string TextPrompt => TextTemplate.Replace("{trait}", Trait, StringComparison.Ordinal);

    /// <summary>The text of the adding rows other than the text baselines.</summary>
    public string? BaseText => BaseTextTemplate?.Replace("{trait}", Trait, StringComparison.Ordinal);
    /// <summary>The condition of the removal rows: no text when <see cref="BaseTextTemplate"/> is null, else "".</summary>
    public string? RemovalText => BaseTextTemplate is null ? null : "";

    /// <summary>Checks every value; the message names the option and what was expected.</summary>
    /// <exception cref="SmitinException">a value is out of range</exception>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Trait)) throw new SmitinException("evaluation option trait: empty; expected a stem name such as 'drums'");
        if (!(PromptSeconds > 0) || double.IsInfinity(PromptSeconds)) throw new SmitinException($"evaluation option prompt-seconds = {PromptSeconds}: expected a positive number of seconds");
        if (!(ContinuationSeconds >= 1) || double.IsInfinity(ContinuationSeconds)) throw new SmitinException($"evaluation option continuation-seconds = {ContinuationSeconds}: expected at least 1 s (the judge needs 1 s)");
        if (Prompts < 1) throw new SmitinException($"evaluation option prompts = {Prompts}: expected at least 1");
        if (RemovalPrompts is < 0) throw new SmitinException($"evaluation option removal-prompts = {RemovalPrompts}: expected >= 0 (0 = no removal rows)");
        if (BatchSize < 1) throw new SmitinException($"evaluation option batch-size = {BatchSize}: expected at least 1");
        if (Seed < 0) throw new SmitinException($"evaluation option seed = {Seed}: expected >= 0");
        foreach (var (name, a) in SmitinAlphas.Select(a => ("alphas", a)).Append(("iti-alpha", ItiAlpha)).Append(("combined alpha", CombinedAlpha)))
            if (!(a >= 0) || double.IsInfinity(a)) throw new SmitinException($"evaluation option {name} = {a}: expected a finite number >= 0");
        if (TopKHeads < 1) throw new SmitinException($"evaluation option top-k-heads = {TopKHeads}: expected at least 1");
        if (Every < 1) throw new SmitinException($"evaluation option every = {Every}: expected at least 1");
        if (Examples < 0) throw new SmitinException($"evaluation option examples = {Examples}: expected >= 0");
        if (Directions.Count == 0) throw new SmitinException("evaluation option directions: give at least one (probe, mass-mean)");
        if (Generation.MaxNewTokens is not null || Generation.DurationSeconds is not null || Generation.Seed is not null || Generation.Steering is not null)
            throw new SmitinException("evaluation option generation: leave length, seed and steering unset (the evaluation sets them per batch and row)");
        Generation.Validate();
    }
}
