using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Smitin.Audio;
using Smitin.IO;

namespace Smitin.Evaluation;

/// <summary>
/// The comparison table of one trait on one model (<c>results.json</c>: <c>{"trait", "model", "rows": [...], ...}</c>,
/// snake_case) and the audio kept for the report (<see cref="Examples"/>, not serialised).
/// </summary>
public sealed record EvaluationResult
{
    /// <summary>Trait evaluated (the judge and the probe sets are for it).</summary>
    public required string Trait { get; init; }
    /// <summary>The model folder's name (e.g. <c>smitin-synth-small</c>).</summary>
    public required string Model { get; init; }
    /// <summary><see cref="Models.MusicGen.Identity"/>: config and weights.</summary>
    public required string ModelIdentity { get; init; }
    /// <summary>One row per method (no control, text, ITI, SMITIN, real floor/ceiling) and setting.</summary>
    public required IReadOnlyList<EvaluationRow> Rows { get; init; }
    /// <summary>The judge (file, trait, threshold, held-out figures) used for success.</summary>
    public required string Judge { get; init; }
    /// <summary>What the Fréchet distance and the prompt similarity are computed on.</summary>
    public required string Embedding { get; init; }
    /// <summary>Length P of every prompt window in seconds.</summary>
    public required double PromptSeconds { get; init; }
    /// <summary>Length C of every continuation in seconds.</summary>
    public required double ContinuationSeconds { get; init; }
    /// <summary>Seed of the whole run; batch i uses a seed derived from it.</summary>
    public required long Seed { get; init; }
    /// <summary>Continuations generated per batch.</summary>
    public required int BatchSize { get; init; }
    /// <summary>Sampling settings: top-k, top-p, temperature, guidance.</summary>
    public required string Sampling { get; init; }
    /// <summary>Text of the no-control, ITI and SMITIN rows: null = no text condition
    /// (<see cref="Models.MusicGen.GenerateUnconditional"/>), else the text (<see cref="EvaluationOptions.BaseTextTemplate"/>).</summary>
    public string? BaseText { get; init; }
    /// <summary>Adding prompts asked for (<see cref="EvaluationOptions.Prompts"/>); the rows' n is smaller when the songs
    /// give fewer windows.</summary>
    public int PromptsRequested { get; init; }
    /// <summary>Prompt windows ("track @ start s"), in prompt order.</summary>
    public required IReadOnlyList<string> Prompts { get; init; }
    /// <summary>The steering settings of each probe set used: direction, τ and its source, p, M, best accuracy.</summary>
    public required IReadOnlyList<string> ProbeSets { get; init; }
    /// <summary>Wall-clock duration of the run in seconds.</summary>
    public required double Seconds { get; init; }
    /// <summary>When the run finished (ISO 8601, UTC).</summary>
    public string Created { get; init; } = "";

    /// <summary>Per example prompt, per row label: the prompt and its continuation (P + C s), for players.</summary>
    [JsonIgnore] public IReadOnlyList<EvaluationExample> Examples { get; init; } = [];

    internal static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>The result as indented snake_case JSON (<c>results.json</c>); <see cref="Examples"/> is not
    /// included.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <exception cref="SmitinException">not a results file of this shape</exception>
    public static EvaluationResult FromJson(string json, string source = "results.json")
    {
        try { return JsonSerializer.Deserialize<EvaluationResult>(json, Json) ?? throw new SmitinException($"{source}: empty"); }
        catch (JsonException e) { throw new SmitinException($"{source}: not an evaluation results file ({e.Message})"); }
    }

    /// <summary>The table as Markdown (one line per row), with the settings under it.</summary>
    public string ToMarkdown()
    {
        var c = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append(c, $"Trait **{Trait}**, model `{Model}`, prompts {PromptSeconds:0.##} s → continuations {ContinuationSeconds:0.##} s, seed {Seed}.\n\n");
        sb.Append("| condition | task | n | success | 95 % CI | p(judge) | FAD | prompt sim. | shifted | monitor C |\n");
        sb.Append("|---|---|---|---|---|---|---|---|---|---|\n");
        foreach (var r in Rows)
            sb.Append(c, $"| {r.Label} | {r.Task} | {r.N} | {r.Success:P1} | {r.SuccessCi95[0]:P1} – {r.SuccessCi95[1]:P1} | {r.JudgeProbability:0.000} | {r.Fad:0.000} | {r.PromptSimilarity:0.000} | {(r.ShiftedFraction is { } s ? s.ToString("P1", c) : "–")} | {(r.MonitorConfidence is { } m ? m.ToString("0.000", c) : "–")} |\n");
        sb.Append('\n');
        sb.Append(BaseText is null ? "- no control, ITI and SMITIN rows: no text condition (unconditional)\n" : $"- no control, ITI and SMITIN rows: the text \"{BaseText}\"\n");
        int n = Rows.FirstOrDefault(r => r.Method == "none" && r.Task == "add")?.N ?? PromptsRequested;
        if (n < PromptsRequested) sb.Append(c, $"- n = {n} of the {PromptsRequested} prompts asked for: the songs give only {n} prompt windows with the trait\n");
        sb.Append("- success: adding rows = the judge hears the trait in the continuation; removal rows = it does not. Interval: Wilson 95 %.\n");
        sb.Append(c, $"- judge: {Judge}\n");
        sb.Append(c, $"- FAD and prompt similarity: {Embedding}\n");
        sb.Append(c, $"- sampling: {Sampling}; batch {BatchSize}; {Seconds:0} s in all\n");
        foreach (var p in ProbeSets) sb.Append(c, $"- probes: {p}\n");
        return sb.ToString();
    }

    /// <summary>Writes <c>results.json</c> and <c>results.md</c> into <paramref name="folder"/> (atomically).</summary>
    public void Save(string folder)
    {
        Directory.CreateDirectory(folder);
        AtomicFile.WriteAllText(Path.Combine(folder, "results.json"), ToJson());
        AtomicFile.WriteAllText(Path.Combine(folder, "results.md"), ToMarkdown());
    }
}

/// <summary>One example prompt: its id and, per row label, the audio (prompt + continuation).</summary>
public sealed record EvaluationExample(string Prompt, IReadOnlyList<(string Row, string Task, AudioClip Audio, double JudgeProbability)> Clips);
