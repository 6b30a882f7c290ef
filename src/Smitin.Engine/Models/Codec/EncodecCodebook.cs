using Smitin.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace Smitin.Models.Codec;

/// <summary>
/// One codebook (HF <c>EncodecEuclideanCodebook</c>): buffer <c>embed</c> (codebook_size, dim). Encoding picks the
/// nearest codeword by squared L2 written as the reference does, argmax of -(|x|² - 2 x·e + |e|²), so ties and
/// rounding behave alike. The EMA training buffers (<c>embed_avg</c>, <c>cluster_size</c>, <c>inited</c>) are not kept.
/// </summary>
public sealed class EncodecCodebook : nn.Module
{
    readonly Tensor embed;

    /// <summary>A codebook of <c>codebook_size</c> × <c>codebook_dim</c> (<c>embed</c> zeros until loaded).</summary>
    public EncodecCodebook(EncodecConfig config) : base(nameof(EncodecCodebook))
    {
        embed = torch.zeros(config.CodebookSize, config.CodebookDim);
        register_buffer("embed", embed);
    }

    /// <summary>Codewords in the codebook.</summary>
    public long Size => embed.shape[0];

    /// <summary>(N, dim) float → (N) int64 index of the nearest codeword.</summary>
    public Tensor Quantize(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var e = embed.t();                                            // (dim, size)
        var xx = x.pow(Scalars.Two).sum(1, keepdim: true);            // (N, 1)
        var xe = x.matmul(e).mul(Scalars.Two);                        // (N, size), 2·x·e
        var ee = e.pow(Scalars.Two).sum(0, keepdim: true);            // (1, size)
        var dist = (xx - xe).add(ee, Scalars.One).neg();              // (N, size) -(|x|² - 2·x·e + |e|²)
        return dist.argmax(-1).MoveToOuterDisposeScope();             // (N)
    }

    /// <summary>int64 indices of any shape S → codewords (S..., dim).</summary>
    public Tensor Lookup(Tensor indices)
    {
        using var scope = torch.NewDisposeScope();
        var flat = embed.index_select(0, indices.flatten());          // (prod(S), dim)
        return flat.reshape([.. indices.shape, embed.shape[1]]).MoveToOuterDisposeScope();
    }
}
