using Smitin.Native;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Smitin.Models.Text;

/// <summary>
/// T5 encoder self-attention. Differences from the usual transformer attention, all as in the reference:
/// no 1/sqrt(d) scaling of the scores (it is folded into the initialisation), no biases, and an additive
/// relative position bias. Only the first layer owns <c>relative_attention_bias</c>; the encoder computes the bias
/// once (<see cref="ComputeBias"/>), adds the padding mask to it and hands the sum to every layer.
/// </summary>
public sealed class T5Attention : nn.Module<Tensor, Tensor, Tensor>
{
    readonly Linear q, k, v, o;
    readonly Embedding? relative_attention_bias; // (num_buckets, H)
    readonly int _heads, _dKv, _numBuckets, _maxDistance;

    /// <summary>T5 self-attention (no bias, no scaling) of <paramref name="config"/>.</summary>
    /// <param name="config">the text encoder's configuration</param>
    /// <param name="hasRelativeAttentionBias">create the relative position bias table (block 0)</param>
    public T5Attention(T5Config config, bool hasRelativeAttentionBias) : base(nameof(T5Attention))
    {
        _heads = config.NumHeads; _dKv = config.DKv;
        _numBuckets = config.RelativeAttentionNumBuckets; _maxDistance = config.RelativeAttentionMaxDistance;
        q = nn.Linear(config.DModel, config.InnerDim, hasBias: false);
        k = nn.Linear(config.DModel, config.InnerDim, hasBias: false);
        v = nn.Linear(config.DModel, config.InnerDim, hasBias: false);
        o = nn.Linear(config.InnerDim, config.DModel, hasBias: false);
        if (hasRelativeAttentionBias) relative_attention_bias = nn.Embedding(_numBuckets, _heads);
        RegisterComponents();
    }

    /// <param name="hidden">(B, S, D) normalised hidden states</param>
    /// <param name="positionBias">(1 or B, H, S, S) relative position bias plus the additive padding mask</param>
    /// <returns>(B, S, D)</returns>
    public override Tensor forward(Tensor hidden, Tensor positionBias)
    {
        using var scope = torch.NewDisposeScope();
        long b = hidden.shape[0], s = hidden.shape[1];
        Tensor Heads(Linear proj) => proj.call(hidden).view(b, s, _heads, _dKv).transpose(1, 2); // (B, H, S, Dkv)
        var query = Heads(q);
        var key = Heads(k);
        var value = Heads(v);
        var scores = torch.matmul(query, key.transpose(2, 3)).add(positionBias, Scalars.One); // (B, H, S, S), unscaled
        var weights = nn.functional.softmax(scores.to_type(ScalarType.Float32), -1).type_as(scores);
        var context = torch.matmul(weights, value).transpose(1, 2).reshape(b, s, _heads * _dKv); // (B, S, H*Dkv)
        return o.call(context).MoveToOuterDisposeScope();
    }

    /// <summary>Relative position bias (1, H, queryLength, keyLength) with bidirectional buckets (encoder).</summary>
    public Tensor ComputeBias(long queryLength, long keyLength)
    {
        if (relative_attention_bias is null) throw new InvalidOperationException("only the first T5 layer owns relative_attention_bias");
        using var scope = torch.NewDisposeScope();
        var device = relative_attention_bias.weight!.device;
        using var queryStop = queryLength.ToScalar();
        using var keyStop = keyLength.ToScalar();
        var context = torch.arange(Scalars.Zero, queryStop, Scalars.One, ScalarType.Int64, device).unsqueeze(1); // (Q, 1)
        var memory = torch.arange(Scalars.Zero, keyStop, Scalars.One, ScalarType.Int64, device).unsqueeze(0);    // (1, K)
        var buckets = RelativePositionBucket(memory - context, bidirectional: true, _numBuckets, _maxDistance); // (Q, K)
        var values = relative_attention_bias.call(buckets);                               // (Q, K, H)
        return values.permute(2, 0, 1).unsqueeze(0).MoveToOuterDisposeScope();            // (1, H, Q, K)
    }

    /// <summary>
    /// Maps a relative position (key - query) to a bucket: half the buckets per direction when bidirectional;
    /// exact buckets for |distance| &lt; num_buckets/2 (per direction), then logarithmic up to max_distance, the last
    /// bucket holding everything beyond. Computed in float32 and truncated like the reference, so bucket edges match.
    /// </summary>
    public static Tensor RelativePositionBucket(Tensor relativePosition, bool bidirectional, int numBuckets, int maxDistance)
    {
        using var scope = torch.NewDisposeScope();
        var buckets = torch.zeros_like(relativePosition);
        Tensor distance;
        if (bidirectional)
        {
            numBuckets /= 2;
            using var perDirection = numBuckets.ToScalar();
            buckets = buckets.add(relativePosition.gt(Scalars.Zero).to_type(ScalarType.Int64).mul(perDirection), Scalars.One);
            distance = relativePosition.abs();
        }
        else
        {
            distance = -torch.minimum(relativePosition, torch.zeros_like(relativePosition));
        }
        int maxExact = numBuckets / 2;
        using var maxExactScalar = maxExact.ToScalar();
        using var logRange = Math.Log((double)maxDistance / maxExact).ToScalar();
        using var logBuckets = (numBuckets - maxExact).ToScalar();
        using var lastBucket = (numBuckets - 1).ToScalar();
        var isSmall = distance.lt(maxExactScalar);
        // log(0) = -inf at distance 0 is discarded by the where below.
        var large = torch.log(distance.to_type(ScalarType.Float32).div(maxExactScalar))
            .div(logRange).mul(logBuckets).to_type(ScalarType.Int64).add(maxExactScalar, Scalars.One); // maxExact + ⌊…⌋
        large = torch.minimum(large, torch.full_like(large, lastBucket));
        return buckets.add(torch.where(isSmall, distance, large), Scalars.One).MoveToOuterDisposeScope();
    }
}
