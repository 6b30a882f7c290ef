using System.Text.Json;
using System.Text.Json.Serialization;

namespace Smitin.Judging;

// The judge file: one JSON document holding everything a judge needs (feature settings, standardisation, weights,
// threshold) and its training report. Written atomically; loading checks every field and names what is wrong.
public sealed partial class TraitJudge
{
    /// <summary>Value of the file's <c>format</c> field.</summary>
    public const string FileFormat = "smitin-trait-judge";
    /// <summary>Value of the file's <c>version</c> field this code reads and writes.</summary>
    public const int FileVersion = 1;

    static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    sealed class FileDto
    {
        public string? Format { get; set; }
        public int? Version { get; set; }
        public string? Trait { get; set; }
        public int? SampleRate { get; set; }
        public double? WindowSeconds { get; set; }
        public double? Threshold { get; set; }
        public FeaturesDto? Features { get; set; }
        public double[]? Mean { get; set; }
        public double[]? Std { get; set; }
        public double[]? Weights { get; set; }
        public double? Bias { get; set; }
        public TraitJudgeReport? Report { get; set; }
    }

    sealed class FeaturesDto
    {
        public int? SampleRate { get; set; }
        public int? NFft { get; set; }
        public int? HopLength { get; set; }
        public int? Mels { get; set; }
        public double? FMinHz { get; set; }
        public double? FMaxHz { get; set; }
        public double? TopDb { get; set; }
        public double[]? BandEdgesHz { get; set; }
        public double? PeriodMinSeconds { get; set; }
        public double? PeriodMaxSeconds { get; set; }
        public string[]? Names { get; set; }
    }

    /// <summary>Writes the judge as JSON, atomically (temporary file + rename), creating the folder.</summary>
    /// <exception cref="SmitinException"><paramref name="path"/> is a folder.</exception>
    public void Save(string path)
    {
        if (Directory.Exists(path)) throw new SmitinException($"{path}: is a folder; expected a judge file path (e.g. {DefaultFileName(Trait)})");
        var f = Features;
        var dto = new FileDto
        {
            Format = FileFormat, Version = FileVersion, Trait = Trait, SampleRate = SampleRate, WindowSeconds = WindowSeconds,
            Threshold = Threshold,
            Features = new FeaturesDto
            {
                SampleRate = f.SampleRate, NFft = f.NFft, HopLength = f.HopLength, Mels = f.Mels, FMinHz = f.FMinHz, FMaxHz = f.FMaxHz,
                TopDb = f.TopDb, BandEdgesHz = f.BandEdgesHz.ToArray(), PeriodMinSeconds = f.PeriodMinSeconds,
                PeriodMaxSeconds = f.PeriodMaxSeconds, Names = f.FeatureNames().ToArray(),
            },
            Mean = Mean.ToArray(), Std = Std.ToArray(), Weights = Weights.ToArray(), Bias = Bias, Report = Report,
        };
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(dto, Json) + "\n");
    }

    /// <summary>Reads and checks a judge file.</summary>
    /// <exception cref="SmitinException">The file is missing, not JSON, of another format or version, or a field is
    /// missing or out of range; the message names the file and the field.</exception>
    public static TraitJudge Load(string path)
    {
        if (Directory.Exists(path)) throw new SmitinException($"{path}: is a folder; expected a judge file (judge-<trait>.json)");
        if (!File.Exists(path)) throw new SmitinException($"{path}: judge file not found");
        FileDto? dto;
        try { dto = JsonSerializer.Deserialize<FileDto>(File.ReadAllText(path), Json); }
        catch (JsonException e)
        {
            throw new SmitinException($"{path}: not a judge file: invalid JSON ({e.Message}); expected the JSON written by TraitJudge.Save / smitin judge train", e);
        }
        if (dto is null) throw new SmitinException($"{path}: not a judge file: the JSON is null; expected an object with \"format\": \"{FileFormat}\"");
        SmitinException Bad(string field, string problem) => new($"{path}: judge file field '{field}' {problem}");

        if (dto.Format != FileFormat) throw Bad("format", $"is {(dto.Format is null ? "missing" : $"'{dto.Format}'")}; expected '{FileFormat}'");
        if (dto.Version != FileVersion) throw Bad("version", $"is {(dto.Version?.ToString() ?? "missing")}; this version of Smitin reads version {FileVersion}");
        if (string.IsNullOrWhiteSpace(dto.Trait)) throw Bad("trait", "is missing or empty; expected a trait name such as drums");
        var fd = dto.Features ?? throw Bad("features", "is missing; expected the feature settings object");
        T Req<T>(T? v, string name) where T : struct => v ?? throw Bad($"features.{name}", "is missing");
        var features = new JudgeFeatureOptions
        {
            SampleRate = Req(fd.SampleRate, "sample_rate"), NFft = Req(fd.NFft, "n_fft"), HopLength = Req(fd.HopLength, "hop_length"),
            Mels = Req(fd.Mels, "mels"), FMinHz = Req(fd.FMinHz, "f_min_hz"), FMaxHz = Req(fd.FMaxHz, "f_max_hz"), TopDb = Req(fd.TopDb, "top_db"),
            BandEdgesHz = fd.BandEdgesHz ?? throw Bad("features.band_edges_hz", "is missing"),
            PeriodMinSeconds = Req(fd.PeriodMinSeconds, "period_min_seconds"), PeriodMaxSeconds = Req(fd.PeriodMaxSeconds, "period_max_seconds"),
        };
        try { features.Validate(); }
        catch (SmitinException e) { throw new SmitinException($"{path}: {e.Message}", e); }
        var names = features.FeatureNames();
        if (fd.Names is null) throw Bad("features.names", "is missing");
        if (fd.Names.Length != names.Count) throw Bad("features.names", $"has {fd.Names.Length} entries; these settings give {names.Count} features");
        for (int i = 0; i < names.Count; i++)
            if (fd.Names[i] != names[i]) throw Bad("features.names", $"[{i}] is '{fd.Names[i]}', but this version computes '{names[i]}' there (a judge from another feature version)");

        if (dto.SampleRate != features.SampleRate) throw Bad("sample_rate", $"is {(dto.SampleRate?.ToString() ?? "missing")}; expected {features.SampleRate} (features.sample_rate)");
        if (dto.WindowSeconds is not { } window || !(window >= JudgeFeatures.MinimumSeconds(features)) || double.IsInfinity(window))
            throw Bad("window_seconds", $"is {(dto.WindowSeconds?.ToString() ?? "missing")}; expected at least {JudgeFeatures.MinimumSeconds(features)} s");
        if (dto.Threshold is not { } threshold || !(threshold > 0 && threshold < 1)) throw Bad("threshold", $"is {(dto.Threshold?.ToString() ?? "missing")}; expected a probability in (0, 1)");
        int d = features.Dimension;
        double[] Vector(double[]? v, string name, bool positive)
        {
            if (v is null) throw Bad(name, $"is missing; expected {d} numbers");
            if (v.Length != d) throw Bad(name, $"has {v.Length} numbers; expected {d} (one per feature)");
            for (int i = 0; i < d; i++)
            {
                if (!double.IsFinite(v[i])) throw Bad(name, $"[{i}] ({names[i]}) is {v[i]}; expected a finite number");
                if (positive && !(v[i] > 0)) throw Bad(name, $"[{i}] ({names[i]}) is {v[i]}; expected a positive scale");
            }
            return v;
        }
        var mean = Vector(dto.Mean, "mean", false);
        var std = Vector(dto.Std, "std", true);
        var weights = Vector(dto.Weights, "weights", false);
        if (dto.Bias is not { } bias || !double.IsFinite(bias)) throw Bad("bias", $"is {(dto.Bias?.ToString() ?? "missing")}; expected a finite number");
        var report = dto.Report ?? throw Bad("report", "is missing; expected the training report");
        if (!string.Equals(report.Trait, dto.Trait, StringComparison.Ordinal)) throw Bad("report.trait", $"is '{report.Trait}' but the judge's trait is '{dto.Trait}'");
        return new TraitJudge(dto.Trait, features, window, mean, std, weights, bias, threshold, report);
    }
}
