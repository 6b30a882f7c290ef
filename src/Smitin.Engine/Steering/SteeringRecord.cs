using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Smitin.Steering;

/// <summary>
/// What steering did to one generation: the resolved plan (every knob, per trait) and the monitor trace.
/// Recorded in <see cref="Generation.GenerationResult.Steering"/>; written by <c>smitin generate --trace-out</c>.
/// </summary>
public sealed record SteeringRecord
{
    /// <summary>True when the plan only watched the traits (an unsteered generation with a trace).</summary>
    public required bool MonitorOnly { get; init; }
    public required IReadOnlyList<TraitPlanSummary> Plan { get; init; }
    public required MonitorTrace Trace { get; init; }

    static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals, // C is NaN before the first monitored step
        WriteIndented = false,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,              // a file, not HTML: keep "<", "'" readable
    };

    /// <summary>JSON with snake_case names: <c>{"monitor_only":..,"plan":[..],"trace":{..}}</c>.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static SteeringRecord FromJson(string json) =>
        JsonSerializer.Deserialize<SteeringRecord>(json, Json) ?? throw new SmitinException("steering trace JSON is empty");

    /// <summary>Writes <see cref="ToJson"/> atomically.</summary>
    public void Save(string path) => AtomicFile.WriteAllText(path, ToJson());
}
