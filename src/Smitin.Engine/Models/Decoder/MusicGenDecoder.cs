using Smitin.Native;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Smitin.Models.Decoder;

/// <summary>
/// The decoder stack (reference <c>MusicgenDecoder</c>, keys <c>decoder.model.decoder.*</c>): the K codebook
/// embeddings (vocab + 1 rows each; the extra row is the start/pad token) are summed, the sinusoidal position is
/// added (no embedding scaling), then the layers and a final LayerNorm. MusicGen Melody (<c>MusicgenMelodyDecoder</c>)
/// first prepends a conditioning prefix (projected chroma, then projected text) to the summed embeddings; the
/// positions then cover the whole sequence, the first prefix row at position 0.
/// </summary>
public sealed class MusicGenDecoder : nn.Module
{
    /// <summary>One token embedding per codebook (vocab + 1 rows: the extra row is the start/pad token);
    /// summed.</summary>
    public readonly ModuleList<Embedding> embed_tokens;
    /// <summary>Sinusoidal position embeddings (not learned).</summary>
    public readonly SinusoidalPositions embed_positions;
    /// <summary>The decoder layers.</summary>
    public readonly ModuleList<MusicGenDecoderLayer> layers;
    /// <summary>Final LayerNorm.</summary>
    public readonly LayerNorm layer_norm;

    /// <summary>The stack of <paramref name="config"/> (weights uninitialised).</summary>
    public MusicGenDecoder(DecoderConfig config) : base("decoder")
    {
        embed_tokens = new ModuleList<Embedding>(Enumerable.Range(0, config.NumCodebooks)
            .Select(_ => nn.Embedding(config.VocabSize + 1, config.HiddenSize)).ToArray());
        embed_positions = new SinusoidalPositions(config.MaxPositionEmbeddings, config.HiddenSize);
        layers = new ModuleList<MusicGenDecoderLayer>(Enumerable.Range(0, config.NumHiddenLayers)
            .Select(i => new MusicGenDecoderLayer(i.ToString(), config)).ToArray());
        layer_norm = nn.LayerNorm(config.HiddenSize, eps: 1e-5);
        RegisterComponents();
    }

    /// <param name="codes">(B, K, T) int64 token ids</param>
    /// <param name="memory">(B, S, D) text memory or null</param>
    /// <param name="memoryMask">additive (B, 1, 1, S) or null</param>
    /// <param name="prefix">(B, P, D) conditioning prefix placed before the codes (melody decoder), or null</param>
    /// <param name="hiddenStates">receives the reference's <c>hidden_states</c>: embeddings, the output of every layer but
    /// the last, then the final LayerNorm of the last layer's output (L + 1 tensors)</param>
    /// <returns>final hidden states (B, P + T, D)</returns>
    /// <param name="cache">key/value cache for incremental decoding, or null (the positions then start at 0)</param>
    internal Tensor Forward(Tensor codes, Tensor? memory, Tensor? memoryMask, DecoderCache? cache, ICollection<Tensor>? hiddenStates,
        Tensor? prefix = null)
    {
        int past = cache?.Length ?? 0;
        Tensor h = embed_tokens[0].call(codes.select(1, 0));              // (B, T, D)
        for (int k = 1; k < embed_tokens.Count; k++)
            h = h.add(embed_tokens[k].call(codes.select(1, k)), Scalars.One);
        if (prefix is not null) h = torch.cat([prefix, h], 1);            // (B, P + T, D)
        long t = h.shape[1];
        h = h.add(embed_positions.Slice(past, (int)t), Scalars.One);      // (1, P + T, D) broadcast over B
        for (int l = 0; l < layers.Count; l++)
        {
            hiddenStates?.Add(h);
            h = layers[l].Forward(h, memory, memoryMask, cache?.Self[l], cache?.Cross[l]);
        }
        h = layer_norm.call(h);
        hiddenStates?.Add(h);
        return h;
    }
}

/// <summary>The reference's <c>MusicgenModel</c> level of the key path (<c>decoder.model.decoder.*</c>): it only holds the stack.</summary>
public sealed class MusicGenDecoderModel : nn.Module
{
    /// <summary>The decoder stack.</summary>
    public readonly MusicGenDecoder decoder;

    /// <summary>The stack of <paramref name="config"/> (weights uninitialised).</summary>
    public MusicGenDecoderModel(DecoderConfig config) : base("model")
    {
        decoder = new MusicGenDecoder(config);
        RegisterComponents();
    }
}
