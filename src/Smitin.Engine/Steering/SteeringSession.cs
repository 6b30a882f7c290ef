using System.Runtime.CompilerServices;
using Smitin.Generation;
using Smitin.Models.Decoder;
using Smitin.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace Smitin.Steering;

/// <summary>
/// An <see cref="InterventionPlan"/> applied to a decoder: one head hook on every self-attention layer that, during
/// generation (<see cref="HookContext.Generation"/> set; other forwards pass untouched),
/// 1. at layer 0 decides every trait's gate, β and coefficient per sample for step t from C(t−1);
/// 2. at every layer with monitor heads scores the newest position of the conditional rows, z before this step's
///    shift at that layer: one (B, Q_l, D) product per layer;
/// 3. shifts the newest position: z ← z + Σ_traits c_i(row)·ω·σ·θ, one (R, N)·(N, H·D) product per layer; rows
///    whose coefficients are all 0 are left bit-identical and a step with no coefficient at all returns z untouched;
/// 4. at the last layer turns the scores into C(t) and the trace entry of step t (one small copy to the host).
/// Long-form generation (<see cref="WindowPlan"/>): t is the step of the whole piece (<see cref="GenerationContext.GlobalStep"/>),
/// so the schedule, the gate, its latch and the trace run on across windows. A later window's prefill re-reads audio
/// already generated: it is never shifted, and its C is traced but not gated on, so the first decision of the window
/// uses C of the previous window's last step.
/// Dispose to remove the hooks (use <c>using</c>: they are removed even when generation throws or is cancelled).
/// One session per decoder at a time: put several traits into one plan.
/// </summary>
public sealed class SteeringSession : IDisposable
{
    static readonly ConditionalWeakTable<MusicGenLm, SteeringSession> Active = new();

    readonly MusicGenLm _lm;
    readonly SteeringTensors _tensors;
    readonly HookHandle _hooks;
    readonly List<SteeringRecord> _records = [];
    readonly int _layers, _heads, _headDim;
    readonly Tensor?[] _scores;          // per layer (B, Q_l) monitor scores of the step under way
    TraitGate[]? _gates;
    GateDecision[,]? _decisions;         // [trait, sample] for the step under way
    MonitorTraceBuilder? _trace;
    Tensor? _coefficients;               // (R, N) for the step under way, null when nothing shifts
    int _batch;
    bool _observe;                       // false at a continuation window's prefill: C of that step is traced, not gated on
    bool _disposed;

    /// <summary>The plan applied.</summary>
    public InterventionPlan Plan { get; }

    /// <summary>One record per generation completed under this session, oldest first.</summary>
    public IReadOnlyList<SteeringRecord> Records => _records;

    /// <summary>The session steering <paramref name="lm"/>, or null.</summary>
    public static SteeringSession? ActiveOn(MusicGenLm lm) => Active.TryGetValue(lm, out var s) ? s : null;

    internal SteeringSession(MusicGenLm lm, InterventionPlan plan)
    {
        var config = lm.Config;
        plan.EnsureShape(config.NumHiddenLayers, config.NumAttentionHeads, config.HeadDim);
        if (!Active.TryAdd(lm, this))
            throw new SmitinException("a steering plan is already applied to this decoder: dispose it first, or put every trait into one plan");
        _lm = lm; Plan = plan;
        _layers = config.NumHiddenLayers; _heads = config.NumAttentionHeads; _headDim = config.HeadDim;
        _scores = new Tensor?[_layers];
        try
        {
            _tensors = new SteeringTensors(plan, lm.Device);
            _hooks = lm.AddHeadHook(Hook);
        }
        catch
        {
            _tensors?.Dispose();
            Active.Remove(lm);
            throw;
        }
    }

    /// <summary>
    /// Ends the generation under way (if any) and returns its record; <see cref="CodeGenerator"/> calls this after its
    /// loop. A new generation (decoder step 0) also completes the previous one.
    /// </summary>
    /// <param name="frameRate">decoder steps per second, recorded in the trace for a time axis (0: unknown)</param>
    public SteeringRecord? CompleteGeneration(double frameRate = 0)
    {
        if (_trace is null) return null;
        var record = new SteeringRecord { MonitorOnly = Plan.MonitorOnly, Plan = Plan.Describe(), Trace = _trace.Build() with { FrameRate = frameRate } };
        _records.Add(record);
        _trace = null; _gates = null; _decisions = null;
        DisposeStepTensors();
        return record;
    }

    /// <summary>Drops the generation under way without recording it (it failed or was cancelled).</summary>
    public void AbandonGeneration()
    {
        _trace = null; _gates = null; _decisions = null;
        DisposeStepTensors();
    }

    Tensor? Hook(int layer, Tensor z, HookContext context)
    {
        if (context.Generation is not { } gen) return null;
        long rows = z.shape[0];
        int t = (int)z.shape[1];
        if (rows != gen.Rows)
            throw new SmitinException($"steering: the decoder batch has {rows} rows but the generation context says {gen.Rows} ({gen.BatchSize} samples{(gen.Guided ? " with guidance" : "")})");
        if (layer == 0) BeginStep(gen);
        if (_trace is null) return null;

        var newest = z.select(1, t - 1);                                              // (R, H, D)
        if (_tensors.MonitorIndex[layer] is { } index)
        {
            using var scope = torch.NewDisposeScope();
            var chosen = newest.narrow(0, 0, _batch).index_select(1, index);        // (B, Q_l, D)
            var score = (chosen * _tensors.MonitorWeight[layer]!).sum(-1).add(_tensors.MonitorBias[layer]!, Scalars.One); // (B, Q_l)
            _scores[layer]?.Dispose();
            _scores[layer] = score.DetachFromDisposeScope();
        }

        Tensor? shifted = null;
        if (_coefficients is not null && _tensors.Basis[layer] is { } basis)
        {
            var shift = _coefficients.mm(basis).view(rows, _heads, _headDim);       // (R, N)·(N, H·D) → (R, H, D)
            shifted = z.clone();                                                       // (R, T, H, D)
            shifted.select(1, t - 1).add_(shift, Scalars.One);
        }
        if (layer == _layers - 1) FinishStep();
        return shifted;
    }

    void BeginStep(GenerationContext gen)
    {
        // a window after the first continues the piece: schedule, monitor, gate and latch carry on
        bool continues = gen.Window > 0 && _trace is not null && gen.BatchSize == _batch;
        if ((gen.Step == 0 && !continues) || _trace is null || gen.BatchSize != _batch)
        {
            CompleteGeneration();
            _batch = gen.BatchSize;
            _gates = Plan.Traits.Select(tr => new TraitGate(tr, _batch, Plan.MonitorOnly)).ToArray();
            _trace = new MonitorTraceBuilder(Plan.Traits, _batch, gen.GlobalStep);
        }
        else if (gen.IsContinuationPrefill) _trace.BeginWindow(gen.GlobalStep);
        _observe = !gen.IsContinuationPrefill;
        DisposeStepTensors();
        int n = Plan.Traits.Count, rows = gen.Rows;
        _decisions = new GateDecision[n, _batch];
        var coefficients = new float[rows * n];                                       // (R, N)
        bool any = false;
        for (int i = 0; i < n; i++)
        {
            bool both = Plan.Traits[i].Options.Rows == SteeringRows.Both;
            for (int b = 0; b < _batch; b++)
            {
                var d = _gates![i].Decide(gen.GlobalStep, b, prefill: gen.IsPrefill);
                _decisions[i, b] = d;
                coefficients[b * n + i] = d.Coefficient;
                if (gen.Guided && both) coefficients[(_batch + b) * n + i] = d.Coefficient;
                any |= d.Coefficient != 0;
            }
        }
        if (any) _coefficients = torch.tensor(coefficients, [rows, n], device: _lm.Device).DetachFromDisposeScope();
    }

    void FinishStep()
    {
        int n = Plan.Traits.Count;
        float[] probs;
        var parts = _scores.Where(s => s is not null).Select(s => s!).ToArray();
        using (var scope = torch.NewDisposeScope())
            probs = torch.cat(parts, 1).sigmoid().cpu().data<float>().ToArray();      // (B, Q) in layer order
        int q = probs.Length / _batch;

        var perTrait = Plan.Traits.Select(tr => new float[_batch * tr.MonitorHeadIndices.Length]).ToArray(); // [trait] (B, M)
        int column = 0;
        for (int l = 0; l < _layers; l++)
            foreach (var (trait, slot) in _tensors.MonitorTargets[l])
            {
                int m = Plan.Traits[trait].MonitorHeadIndices.Length;
                for (int b = 0; b < _batch; b++) perTrait[trait][b * m + slot] = probs[b * q + column];
                column++;
            }

        for (int i = 0; i < n; i++)
        {
            int m = Plan.Traits[i].MonitorHeadIndices.Length;
            var scratch = new float[m];
            for (int b = 0; b < _batch; b++)
            {
                var stats = MonitorStatistics.Of(perTrait[i].AsSpan(b * m, m), scratch);
                if (_observe) _gates![i].Observe(b, stats.Median);
                _trace!.Add(i, b, stats, _decisions![i, b]);
            }
        }
        _trace!.EndStep();
        DisposeScores();
    }

    void DisposeScores()
    {
        for (int l = 0; l < _scores.Length; l++) { _scores[l]?.Dispose(); _scores[l] = null; }
    }

    void DisposeStepTensors()
    {
        DisposeScores();
        _coefficients?.Dispose();
        _coefficients = null;
    }

    /// <summary>Removes the hooks and frees the session's tensors (idempotent).</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        try { _hooks.Dispose(); }
        finally
        {
            Active.Remove(_lm);
            DisposeStepTensors();
            _tensors.Dispose();
        }
    }
}
