using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Smitin.IO;
using TorchSharp;
using static TorchSharp.torch;

namespace Smitin.Probing;

/// <summary>
/// The probe-set file: one safetensors file (written atomically) whose tensors are the per-head arrays —
/// <c>W</c> (L,H,D), <c>b</c>, <c>acc</c>, <c>train_acc</c>, <c>sigma</c>, <c>omega</c> (L,H), <c>theta</c> (L,H,D),
/// <c>monitor_heads</c> (M,2: layer, head) and optionally <c>mean_pos</c>/<c>mean_neg</c> (L,H,D) — and whose
/// <c>__metadata__</c> holds <c>format</c> = <c>smitin.probeset</c>, <c>format_version</c>, <c>probeset</c> (JSON:
/// trait, model identity, provenance, training and probe-set options, τ) and <c>sha256</c> over every tensor's name and
/// bytes plus the JSON, so any corruption is detected on load. Loading validates every shape against the JSON.
/// </summary>
static class ProbeSetFile
{
    public const string Format = "smitin.probeset";
    public const int Version = 1;

    static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    sealed record TrainingDto(string Objective, double C, int MaxIterations, float OptimizationTolerance, ProbeSolver Solver);

    sealed record Dto(string Trait, ProbeModelIdentity Model, ProbeProvenance Provenance, TrainingDto Training,
        string Direction, double SoftWeightExponent, [property: JsonPropertyName("monitor_heads")] int MonitorHeadCount, double Tau, string TauSource);

    const string Objective = "scikit-learn LogisticRegression(penalty='l2', C, fit_intercept=True) on raw z";
    const string TauDefault = "median(acc) - std(acc)";
    const string TauGiven = "given";

    public static void Save(ProbeSet set, string path)
    {
        var dto = new Dto(set.Trait, set.Model, set.Provenance,
            new TrainingDto(Objective, set.Training.C, set.Training.MaxIterations, set.Training.OptimizationTolerance, set.Training.Solver),
            ProbeSetOptions.Name(set.Direction), set.SoftWeightExponent, set.MonitorHeadIndices.Length, set.Tau,
            set.TauIsDefault ? TauDefault : TauGiven);
        string json = JsonSerializer.Serialize(dto, Json);

        long l = set.Layers, h = set.Heads, d = set.HeadDim;
        using var scope = torch.NewDisposeScope();
        var tensors = new Dictionary<string, Tensor>
        {
            ["W"] = torch.tensor(set.Weights, new[] { l, h, d }),
            ["b"] = torch.tensor(set.Bias, new[] { l, h }),
            ["acc"] = torch.tensor(set.Accuracy, new[] { l, h }),
            ["train_acc"] = torch.tensor(set.TrainAccuracy, new[] { l, h }),
            ["theta"] = torch.tensor(set.Theta, new[] { l, h, d }),
            ["sigma"] = torch.tensor(set.Sigma, new[] { l, h }),
            ["omega"] = torch.tensor(set.Omega, new[] { l, h }),
            ["monitor_heads"] = torch.tensor(set.MonitorHeadIndices.SelectMany(i => new long[] { i / h, i % h }).ToArray(), new long[] { set.MonitorHeadIndices.Length, 2 }),
        };
        if (set.MeanPositive is not null && set.MeanNegative is not null)
        {
            tensors["mean_pos"] = torch.tensor(set.MeanPositive, new[] { l, h, d });
            tensors["mean_neg"] = torch.tensor(set.MeanNegative, new[] { l, h, d });
        }
        var metadata = new Dictionary<string, string>
        {
            ["format"] = Format,
            ["format_version"] = Version.ToString(),
            ["probeset"] = json,
            ["sha256"] = Checksum(tensors.ToDictionary(kv => kv.Key, kv => kv.Value.bytes.ToArray()), json),
        };
        SafeTensorsWriter.Write(path, tensors, metadata);
    }

    public static ProbeSet Load(string path)
    {
        Native.TorchRuntime.Ensure();
        using var file = OpenChecked(path);
        var md = file.Metadata;
        string Meta(string key) => md.TryGetValue(key, out var v) ? v : throw Bad(path, $"metadata entry '{key}' is missing");
        if (!md.TryGetValue("format", out var format) || format != Format)
            throw Bad(path, $"not a probe set (safetensors metadata 'format' is '{format ?? "(none)"}', expected '{Format}')");
        if (Meta("format_version") != Version.ToString())
            throw Bad(path, $"probe-set format version {Meta("format_version")} is not supported (expected {Version})");

        string json = Meta("probeset");
        var raw = new Dictionary<string, byte[]>();
        foreach (var key in file.Keys)
        {
            using var t = file.Read(key);
            raw[key] = t.bytes.ToArray();
        }
        if (Checksum(raw, json) != Meta("sha256"))
            throw Bad(path, "corrupted: the data checksum (sha256) does not match the file contents");

        Dto dto;
        try { dto = JsonSerializer.Deserialize<Dto>(json, Json) ?? throw new JsonException("null"); }
        catch (JsonException e) { throw Bad(path, $"metadata 'probeset' is not valid probe-set JSON: {e.Message}"); }
        if (dto.Model is null || dto.Provenance is null || dto.Training is null || string.IsNullOrEmpty(dto.Trait))
            throw Bad(path, "metadata 'probeset' lacks trait, model, provenance or training");

        var m = dto.Model;
        if (m.Layers <= 0 || m.Heads <= 0 || m.HeadDim <= 0)
            throw Bad(path, $"model shape {m.Layers} x {m.Heads} x {m.HeadDim} is not positive");
        long l = m.Layers, h = m.Heads, d = m.HeadDim;
        float[] F32(string name, params long[] shape) => Array<float>(file, raw, path, name, "F32", shape);
        var w = F32("W", l, h, d);
        var b = F32("b", l, h);
        var acc = F32("acc", l, h);
        var trainAcc = F32("train_acc", l, h);
        var theta = F32("theta", l, h, d);
        var sigma = F32("sigma", l, h);
        var omega = F32("omega", l, h);
        if (!file.Contains("monitor_heads")) throw Bad(path, "tensor 'monitor_heads' is missing");
        long mCount = file.Info("monitor_heads").Shape.FirstOrDefault();
        if (mCount != dto.MonitorHeadCount || mCount < 1 || mCount > l * h)
            throw Bad(path, $"tensor 'monitor_heads' has {mCount} rows, expected {dto.MonitorHeadCount} (between 1 and {l * h})");
        var monitorPairs = Array<long>(file, raw, path, "monitor_heads", "I64", mCount, 2);
        float[]? meanPos = null, meanNeg = null;
        if (file.Contains("mean_pos") != file.Contains("mean_neg")) throw Bad(path, "only one of 'mean_pos' and 'mean_neg' is present");
        if (file.Contains("mean_pos")) { meanPos = F32("mean_pos", l, h, d); meanNeg = F32("mean_neg", l, h, d); }

        var monitor = new int[mCount];
        for (int i = 0; i < mCount; i++)
        {
            long ml = monitorPairs[2 * i], mh = monitorPairs[2 * i + 1];
            if (ml < 0 || ml >= l || mh < 0 || mh >= h) throw Bad(path, $"monitor head {i} = (layer {ml}, head {mh}) is outside {l} x {h}");
            monitor[i] = (int)(ml * h + mh);
        }
        if (monitor.Distinct().Count() != monitor.Length) throw Bad(path, "monitor heads repeat a head");
        foreach (var (name, arr) in new[] { ("W", w), ("b", b), ("theta", theta), ("sigma", sigma) })
            if (arr.Any(v => !float.IsFinite(v))) throw Bad(path, $"tensor '{name}' has non-finite values");
        foreach (var (name, arr) in new[] { ("acc", acc), ("train_acc", trainAcc), ("omega", omega) })
            if (arr.Any(v => !(v >= 0 && v <= 1))) throw Bad(path, $"tensor '{name}' has values outside [0, 1]");
        for (int i = 0; i < l * h; i++)
        {
            double n2 = 0;
            for (int j = 0; j < d; j++) n2 += (double)theta[i * d + j] * theta[i * d + j];
            if (Math.Abs(Math.Sqrt(n2) - 1) > 1e-4) throw Bad(path, $"tensor 'theta' head (layer {i / h}, head {i % h}) has norm {Math.Sqrt(n2):G6}, expected a unit vector");
        }
        if (!(dto.Tau >= 0 && dto.Tau <= 1)) throw Bad(path, $"tau = {dto.Tau} is not a probability");
        bool tauDefault = dto.TauSource switch
        {
            TauDefault => true,
            TauGiven => false,
            _ => throw Bad(path, $"tau_source '{dto.TauSource}' is unknown (expected '{TauDefault}' or '{TauGiven}')"),
        };
        ProbeDirection direction;
        try { direction = ProbeSetOptions.ParseDirection(dto.Direction); }
        catch (SmitinException e) { throw Bad(path, e.Message); }

        var training = new ProbeTrainingOptions
        {
            C = dto.Training.C, MaxIterations = dto.Training.MaxIterations,
            OptimizationTolerance = dto.Training.OptimizationTolerance, Solver = dto.Training.Solver,
        };
        return new ProbeSet(dto.Trait, m, dto.Provenance, training, direction, dto.SoftWeightExponent, dto.Tau, tauDefault,
            w, b, acc, trainAcc, theta, sigma, omega, monitor, meanPos, meanNeg);
    }

    static SafeTensorsFile OpenChecked(string path)
    {
        if (!File.Exists(path)) throw new SmitinException($"probe set not found: {path}");
        try { return SafeTensorsFile.Open(path); }
        catch (SmitinException e) { throw new SmitinException($"{path}: not a readable probe set (corrupted or truncated): {e.Message}", e); }
    }

    static T[] Array<T>(SafeTensorsFile file, Dictionary<string, byte[]> raw, string path, string name, string dtype, params long[] shape)
        where T : unmanaged
    {
        if (!file.Contains(name)) throw Bad(path, $"tensor '{name}' is missing");
        var info = file.Info(name);
        if (info.DType != dtype || !info.Shape.SequenceEqual(shape))
            throw Bad(path, $"tensor '{name}' is {info.DType} {info.ShapeText}, expected {dtype} [{string.Join(", ", shape)}]");
        return System.Runtime.InteropServices.MemoryMarshal.Cast<byte, T>(raw[name]).ToArray();
    }

    static string Checksum(IReadOnlyDictionary<string, byte[]> tensors, string json)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var name in tensors.Keys.OrderBy(k => k, StringComparer.Ordinal))
        {
            sha.AppendData(Encoding.UTF8.GetBytes(name + "\n"));
            sha.AppendData(tensors[name]);
        }
        sha.AppendData(Encoding.UTF8.GetBytes(json));
        return Convert.ToHexString(sha.GetHashAndReset()).ToLowerInvariant();
    }

    static SmitinException Bad(string path, string what) => new($"{path}: {what}");
}
