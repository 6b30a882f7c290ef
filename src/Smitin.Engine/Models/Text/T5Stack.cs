using Smitin.Native;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Smitin.Models.Text;

/// <summary>
/// The T5 encoder stack (<c>encoder.*</c>): token embedding (shared with <c>shared</c>), the blocks, and a final
/// RMSNorm. The relative position bias is computed once by the first block's attention and, with the additive
/// padding mask (0 for tokens, float32 min for padding) added, reused by every block. Dropout is omitted
/// (inference only).
/// </summary>
public sealed class T5Stack : nn.Module<Tensor, Tensor, Tensor>
{
    readonly Embedding embed_tokens;           // the same module as T5Encoder.shared (tied)
    readonly ModuleList<T5Block> block;
    readonly T5LayerNorm final_layer_norm;

    /// <summary>The encoder stack: blocks (block 0 owns the relative position bias) and the final RMS norm.</summary>
    /// <param name="config">the text encoder's configuration</param>
    /// <param name="sharedEmbedding">the token embedding shared with <see cref="T5Encoder"/></param>
    public T5Stack(T5Config config, Embedding sharedEmbedding) : base(nameof(T5Stack))
    {
        embed_tokens = sharedEmbedding;
        block = nn.ModuleList(Enumerable.Range(0, config.NumLayers).Select(i => new T5Block(config, hasRelativeAttentionBias: i == 0)).ToArray());
        final_layer_norm = new T5LayerNorm(config.DModel, config.LayerNormEpsilon);
        RegisterComponents();
    }

    /// <summary>The token embedding (tied to <c>shared</c>).</summary>
    public Embedding EmbedTokens => embed_tokens;

    /// <summary>last_hidden_state (B, S, D) of <paramref name="inputIds"/> (B, S) under <paramref name="attentionMask"/> (B, S).</summary>
    public override Tensor forward(Tensor inputIds, Tensor attentionMask) => Run(inputIds, attentionMask, null);

    /// <summary>
    /// Runs the stack. When <paramref name="hiddenStates"/> is given it receives, like the reference's
    /// <c>hidden_states</c>: the embeddings, the output of every block but the last, and the final normalised output
    /// (num_layers + 1 tensors of (B, S, D)).
    /// </summary>
    public Tensor Run(Tensor inputIds, Tensor? attentionMask, List<Tensor>? hiddenStates)
    {
        using var scope = torch.NewDisposeScope();
        long b = inputIds.shape[0], s = inputIds.shape[1];
        var h = embed_tokens.call(inputIds); // (B, S, D)

        var mask = attentionMask ?? torch.ones(b, s, ScalarType.Int64, inputIds.device);
        // (B, 1, 1, S): 0 where attended, float32 min where padded (large negative, not -inf: no NaN on empty rows)
        var additive = mask.to_type(ScalarType.Float32).unsqueeze(1).unsqueeze(2).negative()
            .add(Scalars.DoubleOne, Scalars.One).mul(Scalars.FloatMin);                          // (1 - mask) · float.MinValue
        var positionBias = block[0].SelfAttentionLayer.Attention.ComputeBias(s, s).add(additive, Scalars.One); // (B, H, S, S)

        for (int i = 0; i < block.Count; i++)
        {
            hiddenStates?.Add(h.MoveToOuterDisposeScope());
            h = block[i].call(h, positionBias);
        }
        h = final_layer_norm.call(h);
        hiddenStates?.Add(h.alias().MoveToOuterDisposeScope());
        return h.MoveToOuterDisposeScope();
    }
}
