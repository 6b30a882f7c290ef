using System.Diagnostics;
using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace Smitin.Models.Decoder;

/// <summary>
/// Chooses the <see cref="DecodeKernel"/> a decoder's <see cref="DecoderLinear"/> layers use for few rows (a decode
/// step), by measurement rather than assumption: which form of <c>X · Wᵀ</c> streams the weights fastest differs
/// between CPUs (on an AMD EPYC <c>W · Xᵀ</c> beats libtorch <c>linear</c> with 2 rows by ~2x; on an Intel Xeon with
/// AMX the reverse was measured), so it is timed once per process on the loaded model's own matrices and remembered
/// per CPU model.
///
/// Order of precedence for a row bucket (1, 2, 4, 8, 16; more rows always use <c>linear</c>, a compute-bound GEMM):
/// 1. an override: <see cref="MusicGenLoadOptions.DecodeKernel"/> if not <c>auto</c>, else the environment variable
///    <c>SMITIN_DECODE_KERNEL</c> (<c>linear</c>, <c>wxt</c>, <c>mv</c>); nothing is timed;
/// 2. the cache file (<see cref="DecodeKernelCache"/>), keyed by CPU model + flags, threads, libtorch version, dtype,
///    the matrices' shapes and the bucket;
/// 3. a measurement: each candidate (<c>linear</c>, <c>wxt</c>, and <c>mv</c> for up to 2 rows) multiplies the
///    bucket's row count by a sample of the matrices a step reads (whole layers in order, at least
///    <see cref="SampleBytes"/> so the sample does not sit in the CPU cache, as a step's weights do not), interleaved,
///    <see cref="Rounds"/> rounds after a warm-up; the fastest minimum wins (ties: the order of
///    <see cref="DecodeKernels.All"/>). About 10 passes of ~100 MB at musicgen-small shapes: ~0.1 s on a quiet machine.
/// The result is stored only when the machine was quiet (<see cref="IsQuiet"/>); on a busy one other processes decide
/// the timings, so the choice holds for this process and is measured again next time.
/// </summary>
public sealed class DecodeKernelSelector
{
    /// <summary>Up to this many rows the choice applies; above, <c>linear</c>.</summary>
    public const int MaxRows = 16;
    /// <summary>Environment variable that overrides the choice (<see cref="DecodeKernels.Accepted"/>).</summary>
    public const string EnvironmentVariable = "SMITIN_DECODE_KERNEL";
    /// <summary>A measurement samples at least this many weight bytes (or all the matrices, if fewer).</summary>
    public const long SampleBytes = 96L << 20;
    /// <summary>Timed rounds per candidate after the warm-up.</summary>
    public const int Rounds = 3;

    readonly IReadOnlyList<Tensor> _weights;               // (out, in) each, the matrices a step reads, in layer order
    readonly Func<DecodeKernel, int, double>? _timer;      // test seam: ms of one pass for (kernel, rows)
    readonly Dictionary<(int Bucket, int Threads), DecodeKernelChoice> _choices = [];
    readonly object _gate = new();
    readonly Func<double?> _loadAverage;
    DecodeKernel? _override;
    string _overrideSource = "";

    /// <param name="weights">the matrices a decode step multiplies, (out, in) each, in the order a step reads them</param>
    /// <param name="cache">where choices are remembered per CPU; null = never cached</param>
    /// <param name="cpu">CPU key (default <see cref="Native.CpuIdentity.Current"/>)</param>
    /// <param name="timer">replaces the measurement (tests): returns the ms of one pass of a kernel at a row count</param>
    /// <param name="environment">reads an environment variable (default <see cref="Environment.GetEnvironmentVariable(string)"/>)</param>
    /// <param name="loadAverage">the 1-minute load average, or null if unknown (default: <c>/proc/loadavg</c>)</param>
    /// <exception cref="SmitinException"><c>SMITIN_DECODE_KERNEL</c> holds an unknown name</exception>
    public DecodeKernelSelector(IReadOnlyList<Tensor> weights, DecodeKernelCache? cache, string? cpu = null, Func<DecodeKernel, int, double>? timer = null,
        Func<string, string?>? environment = null, Func<double?>? loadAverage = null)
    {
        _weights = weights;
        Cache = cache;
        Cpu = cpu ?? Native.CpuIdentity.Current;
        _timer = timer;
        _loadAverage = loadAverage ?? ReadLoadAverage;
        string? env = (environment ?? Environment.GetEnvironmentVariable)(EnvironmentVariable);
        if (DecodeKernels.Parse(env, $"environment variable {EnvironmentVariable}") is { } k) SetOverride(k, $"{EnvironmentVariable}={env!.Trim()}");
    }

    /// <summary>Where choices are remembered per CPU, or null.</summary>
    public DecodeKernelCache? Cache { get; }
    /// <summary>The CPU key of the cache entries (<see cref="Native.CpuIdentity.Current"/> unless given).</summary>
    public string Cpu { get; }

    /// <summary>Where the last cache write failed, if it did (the choice stands for this process either way).</summary>
    public string? CacheProblem { get; private set; }

    /// <summary>The override in force, or null (choose by cache / measurement).</summary>
    public DecodeKernel? Override => _override;

    /// <summary>Forces <paramref name="kernel"/> for every bucket (null: back to measurement); clears earlier choices.</summary>
    /// <param name="kernel">the kernel every bucket uses, or null</param>
    /// <param name="source">for the summary, e.g. <c>load option decode-kernel</c></param>
    public void SetOverride(DecodeKernel? kernel, string source)
    {
        lock (_gate)
        {
            _override = kernel;
            _overrideSource = source;
            _choices.Clear();
        }
    }

    /// <summary>Drops the choices made so far (the weights changed type or device); the next use resolves again.</summary>
    public void ForgetChoices()
    {
        lock (_gate) _choices.Clear();
    }

    /// <summary>The bucket of a row count: the smallest of 1, 2, 4, 8, 16 that holds it.</summary>
    /// <exception cref="ArgumentOutOfRangeException">rows &lt; 1 or &gt; <see cref="MaxRows"/></exception>
    public static int Bucket(long rows)
    {
        if (rows < 1 || rows > MaxRows) throw new ArgumentOutOfRangeException(nameof(rows), rows, $"expected 1..{MaxRows}");
        int b = 1;
        while (b < rows) b *= 2;
        return b;
    }

    /// <summary>The candidates timed for a bucket: <c>mv</c> reads W once per row, so it runs only up to 2 rows.</summary>
    public static IReadOnlyList<DecodeKernel> Candidates(int bucket) =>
        bucket <= 2 ? DecodeKernels.All : DecodeKernels.All.Where(k => k != DecodeKernel.RowwiseMatrixVector).ToList();

    /// <summary>The fastest candidate; ties go to the earlier one in <see cref="DecodeKernels.All"/>.</summary>
    /// <exception cref="ArgumentException">no timings, or a timing that is not a finite positive number</exception>
    public static DecodeKernel Choose(IReadOnlyDictionary<DecodeKernel, double> milliseconds)
    {
        if (milliseconds.Count == 0) throw new ArgumentException("no kernel timings", nameof(milliseconds));
        foreach (var (k, ms) in milliseconds)
            if (!double.IsFinite(ms) || ms <= 0) throw new ArgumentException($"timing of {k.Name()} is {ms}; expected a positive number of ms", nameof(milliseconds));
        return milliseconds.OrderBy(kv => kv.Value).ThenBy(kv => kv.Key).First().Key;
    }

    /// <summary>The kernel for <paramref name="rows"/> rows (1..<see cref="MaxRows"/>) at the current thread count,
    /// resolving it on first use (see the class summary). Thread-safe; cheap after the first call.</summary>
    public DecodeKernel KernelFor(long rows) => Resolve(Bucket(rows)).Kernel;

    /// <summary>The choice for a row count's bucket at the current libtorch thread count (override, cache or measurement).</summary>
    public DecodeKernelChoice Resolve(int rows)
    {
        int bucket = Bucket(rows), threads = torch.get_num_threads();
        lock (_gate)
        {
            if (_choices.TryGetValue((bucket, threads), out var known)) return known;
            var choice = ResolveUncached(bucket, threads);
            _choices[(bucket, threads)] = choice;
            return choice;
        }
    }

    /// <summary>Every choice made so far in this process.</summary>
    public IReadOnlyList<DecodeKernelChoice> Choices
    {
        get { lock (_gate) return _choices.Values.OrderBy(c => c.Rows).ThenBy(c => c.Threads).ToList(); }
    }

    /// <summary>The cache key of a bucket: CPU, threads, libtorch, dtype, matrix shapes, rows.</summary>
    public string Key(int bucket, int threads)
    {
        string dtype = _weights.Count > 0 ? _weights[0].dtype.ToString().ToLowerInvariant() : "none";
        string shapes = string.Join(",", _weights.Select(w => $"{w.shape[0]}x{w.shape[1]}").Distinct().Order(StringComparer.Ordinal));
        return $"{Cpu} | {threads} threads | libtorch {torch.__version__} | {dtype} | {shapes} | {bucket} rows";
    }

    DecodeKernelChoice ResolveUncached(int bucket, int threads)
    {
        if (_override is { } forced)
            return new DecodeKernelChoice(bucket, forced, DecodeKernelReason.Override, new Dictionary<DecodeKernel, double>(), _overrideSource, threads);
        string key = Key(bucket, threads);
        if (Cache?.Find(key) is { } entry && Candidates(bucket).Contains(entry.Kernel))
            return new DecodeKernelChoice(bucket, entry.Kernel, DecodeKernelReason.Cached, entry.Milliseconds, $"{entry.Sample}, measured {entry.MeasuredAt:yyyy-MM-dd}", threads);
        double? loadBefore = _loadAverage();
        var (ms, sample) = Measure(bucket);
        var kernel = Choose(ms);
        double? load = Max(loadBefore, _loadAverage());
        if (Cache is not null)
        {
            if (IsQuiet(load, Environment.ProcessorCount))
                CacheProblem = Cache.Store(key, new DecodeKernelCache.Entry(kernel, ms, sample, threads, DateTimeOffset.UtcNow));
            else
                sample += string.Create(CultureInfo.InvariantCulture, $"; not cached: load average {load:F1} on {Environment.ProcessorCount} cores, measured again next time");
        }
        return new DecodeKernelChoice(bucket, kernel, DecodeKernelReason.Measured, ms, sample, threads);
    }

    /// <summary>
    /// Whether a measurement is trusted enough to be remembered: the 1-minute load average (before or after it, the
    /// larger) is at most 1.5 × the cores, or unknown. On a busier machine other processes' bursts decide the timings;
    /// the choice then holds for this process only.
    /// </summary>
    public static bool IsQuiet(double? loadAverage, int cores) => loadAverage is null || loadAverage <= 1.5 * cores;

    static double? Max(double? a, double? b) => a is null ? b : b is null ? a : Math.Max(a.Value, b.Value);

    static double? ReadLoadAverage()
    {
        try
        {
            if (!File.Exists("/proc/loadavg")) return null;
            return double.TryParse(File.ReadAllText("/proc/loadavg").Split(' ')[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var l) ? l : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    (Dictionary<DecodeKernel, double> Ms, string Sample) Measure(int rows)
    {
        var candidates = Candidates(rows);
        if (_timer is not null)
            return (candidates.ToDictionary(k => k, k => _timer(k, rows)), "fake timer");
        if (_weights.Count == 0) return (new() { [DecodeKernel.Linear] = 1 }, "no matrices");

        // whole matrices in the order a step reads them until the sample is larger than a CPU cache
        var sample = new List<Tensor>();
        long bytes = 0;
        foreach (var w in _weights)
        {
            sample.Add(w);
            bytes += w.numel() * w.ElementSize;
            if (bytes >= SampleBytes) break;
        }
        int repeats = (int)Math.Clamp((SampleBytes + bytes - 1) / bytes, 1, 64);       // small models: repeat the pass
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var gen = new Generator(12345, sample[0].device);                                // not the global generator: no side effect on seeded code
        var inputs = sample.Select(w => w.shape[1]).Distinct()
            .ToDictionary(n => n, n => torch.randn([rows, n], generator: gen, dtype: sample[0].dtype, device: sample[0].device)); // (rows, in)
        var best = candidates.ToDictionary(k => k, _ => double.PositiveInfinity);
        for (int round = 0; round <= Rounds; round++)                                   // round 0 is the warm-up
            foreach (var k in candidates)
            {
                var sw = Stopwatch.StartNew();
                for (int r = 0; r < repeats; r++)
                    foreach (var w in sample) using (DecodeKernels.Multiply(k, w, inputs[w.shape[1]])) { }
                double ms = sw.Elapsed.TotalMilliseconds / repeats;
                if (round > 0) best[k] = Math.Min(best[k], Math.Max(ms, 1e-6));
            }
        string what = string.Create(CultureInfo.InvariantCulture,
            $"{rows} rows x {sample.Count} of {_weights.Count} matrices, {bytes / 1e6:F0} MB{(repeats > 1 ? $" x {repeats}" : "")}, min of {Rounds}");
        return (best, what);
    }
}
