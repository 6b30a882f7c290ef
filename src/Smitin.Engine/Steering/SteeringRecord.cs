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
    /// <summary>Every trait's resolved plan.</summary>
    public required IReadOnlyList<TraitPlanSummary> Plan { get; init; }
    /// <summary>The monitor trace of the generation.</summary>
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

    /// <summary>Reads a record written by <see cref="ToJson"/>.</summary>
    /// <exception cref="System.Text.Json.JsonException">the text is not a steering record</exception>
    public static SteeringRecord FromJson(string json) =>
        JsonSerializer.Deserialize<SteeringRecord>(json, Json) ?? throw new SmitinException("steering trace JSON is empty");

    /// <summary>Reads a trace file written by <see cref="Save"/> (<c>smitin generate --trace-out</c>).</summary>
    /// <exception cref="SmitinException">the file is missing, unreadable, not JSON, not a steering trace, or has a trait
    /// whose series do not match its step count; the message names the file.</exception>
    public static SteeringRecord Load(string path)
    {
        if (!File.Exists(path)) throw new SmitinException($"{path}: trace file not found (write one with smitin generate --probes FILE --trace-out {path})");
        SteeringRecord record;
        try { record = FromJson(File.ReadAllText(path)); }
        catch (Exception e) when (e is JsonException or SmitinException or NotSupportedException)
        {
            throw new SmitinException($"{path}: not a steering trace (expected the JSON of smitin generate --trace-out: {{\"monitor_only\", \"plan\", \"trace\"}}): {e.Message}", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SmitinException($"{path}: cannot read the trace file: {e.Message}", e);
        }
        if (record.Trace is null || record.Plan is null || record.Trace.Traits is null)
            throw new SmitinException($"{path}: not a steering trace (no \"plan\" or \"trace\" with \"traits\")");
        if (record.Trace.Traits.Count == 0) throw new SmitinException($"{path}: the trace has no traits");
        foreach (var t in record.Trace.Traits)
            foreach (var s in t.Samples ?? [])
                foreach (var (name, length) in new[] { ("confidence", s.Confidence?.Length), ("mean", s.Mean?.Length), ("min", s.Min?.Length),
                             ("max", s.Max?.Length), ("shifted", s.Shifted?.Length) })
                    if (length != record.Trace.Steps)
                        throw new SmitinException($"{path}: trait '{t.Trait}' sample {s.Sample}: {name} has {length?.ToString() ?? "no"} entries, expected {record.Trace.Steps} (trace.steps)");
        return record;
    }

    /// <summary>Writes <see cref="ToJson"/> atomically.</summary>
    public void Save(string path) => AtomicFile.WriteAllText(path, ToJson());
}
