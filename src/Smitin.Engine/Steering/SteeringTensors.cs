using TorchSharp;
using static TorchSharp.torch;

namespace Smitin.Steering;

/// <summary>
/// A plan's per-layer tensors on the model's device, built once per session:
/// - shift basis V_l (N, H·D): row i = ω_{l,h}·σ_{l,h}·θ_{l,h} of trait i for every head h (null when every ω of the
///   layer is 0, e.g. ITI heads elsewhere), so a step's shift of all traits is one (R, N) × (N, H·D) product;
/// - monitor probes of the layer: the heads (Q_l) among all traits' monitor heads, their weights (Q_l, D) and
///   biases (Q_l), and where each score goes in the step's (trait, slot) layout.
/// Detached from every dispose scope; freed by <see cref="Dispose"/>.
/// </summary>
internal sealed class SteeringTensors : IDisposable
{
    public readonly Tensor?[] Basis;          // per layer (N, H*D) or null
    public readonly Tensor?[] MonitorIndex;   // per layer (Q_l) int64 head index, or null
    public readonly Tensor?[] MonitorWeight;  // per layer (Q_l, D)
    public readonly Tensor?[] MonitorBias;    // per layer (Q_l)
    /// <summary>Per layer, per monitor score: (trait, slot in the trait's monitor list).</summary>
    public readonly (int Trait, int Slot)[][] MonitorTargets;

    public SteeringTensors(InterventionPlan plan, Device device)
    {
        int layers = plan.Layers, heads = plan.Heads, d = plan.HeadDim, n = plan.Traits.Count;
        Basis = new Tensor?[layers];
        MonitorIndex = new Tensor?[layers];
        MonitorWeight = new Tensor?[layers];
        MonitorBias = new Tensor?[layers];
        MonitorTargets = new (int, int)[layers][];
        try
        {
            for (int l = 0; l < layers; l++)
            {
                if (!plan.MonitorOnly) Basis[l] = BuildBasis(plan, l, device);

                var targets = new List<(int Trait, int Slot)>();
                var index = new List<long>();
                var weight = new List<float>();
                var bias = new List<float>();
                for (int i = 0; i < n; i++)
                {
                    var t = plan.Traits[i];
                    for (int j = 0; j < t.MonitorHeadIndices.Length; j++)
                    {
                        int flat = t.MonitorHeadIndices[j];
                        if (flat / heads != l) continue;
                        targets.Add((i, j));
                        index.Add(flat % heads);
                        weight.AddRange(t.MonitorWeights.AsSpan(j * d, d).ToArray());
                        bias.Add(t.MonitorBias[j]);
                    }
                }
                MonitorTargets[l] = [.. targets];
                if (targets.Count == 0) continue;
                MonitorIndex[l] = Detached(torch.tensor(index.ToArray(), device: device));
                MonitorWeight[l] = Detached(torch.tensor(weight.ToArray(), [targets.Count, d], device: device));
                MonitorBias[l] = Detached(torch.tensor(bias.ToArray(), device: device));
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    static Tensor? BuildBasis(InterventionPlan plan, int layer, Device device)
    {
        int heads = plan.Heads, d = plan.HeadDim, n = plan.Traits.Count;
        var basis = new float[n * heads * d];
        bool any = false;
        for (int i = 0; i < n; i++)
        {
            var t = plan.Traits[i];
            if (t.Options.Alpha == 0) continue;
            for (int h = 0; h < heads; h++)
            {
                int flat = layer * heads + h;
                float w = t.HeadWeights[flat];
                if (w == 0) continue;
                for (int j = 0; j < d; j++)
                {
                    float v = w * t.ScaledDirections[flat * d + j];   // ω·σ·θ
                    basis[(i * heads + h) * d + j] = v;
                    any |= v != 0;
                }
            }
        }
        return any ? Detached(torch.tensor(basis, [n, heads * d], device: device)) : null;
    }

    static Tensor Detached(Tensor t) => t.DetachFromDisposeScope();

    public void Dispose()
    {
        foreach (var arr in new[] { Basis, MonitorIndex, MonitorWeight, MonitorBias })
            for (int i = 0; i < arr.Length; i++) { arr[i]?.Dispose(); arr[i] = null; }
    }
}
