using Smitin.Native;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Smitin.Models.Codec;

/// <summary>
/// Residual vector quantizer (HF <c>EncodecResidualVectorQuantizer</c>): <c>layers</c> holds num_quantizers
/// <see cref="EncodecVectorQuantizer"/>s (keys <c>quantizer.layers.N.codebook.embed</c>). Encoding quantises the
/// residual layer by layer; decoding sums the codewords of the given codebooks.
/// </summary>
public sealed class EncodecQuantizer : nn.Module
{
    readonly ModuleList<EncodecVectorQuantizer> layers;
    readonly int _codebookSize;
    readonly double _frameRate;

    /// <summary>The quantizer of <paramref name="config"/>: one layer per codebook of the largest bandwidth.</summary>
    public EncodecQuantizer(EncodecConfig config) : base(nameof(EncodecQuantizer))
    {
        _codebookSize = config.CodebookSize;
        _frameRate = config.FrameRate;
        layers = nn.ModuleList(Enumerable.Range(0, config.NumQuantizers).Select(_ => new EncodecVectorQuantizer(config)).ToArray());
        RegisterComponents();
    }

    /// <summary>Quantizer layers stored in the checkpoint.</summary>
    public int NumQuantizers => layers.Count;
    /// <summary>Codewords per codebook.</summary>
    public int CodebookSize => _codebookSize;

    /// <summary>
    /// Codebooks used at a bandwidth in kbps (reference <c>get_num_quantizers_for_bandwidth</c> + <c>layers[:n]</c>):
    /// min(max(1, floor(bw·1000 / (log2(codebook_size)·frame_rate))), num_quantizers).
    /// </summary>
    public int CodebooksForBandwidth(double bandwidthKbps)
    {
        double bitsPerQuantizer = Math.Log2(_codebookSize) * _frameRate;
        int n = bandwidthKbps > 0 ? (int)Math.Max(1, Math.Floor(bandwidthKbps * 1000 / bitsPerQuantizer)) : NumQuantizers;
        return Math.Min(n, NumQuantizers);
    }

    /// <summary>(B, dim, F) latents → (B, K, F) int64 codes, K = <paramref name="numCodebooks"/>.</summary>
    public Tensor Encode(Tensor embeddings, int numCodebooks)
    {
        if (numCodebooks < 1 || numCodebooks > NumQuantizers)
            throw new SmitinException($"EnCodec: {numCodebooks} codebooks requested, the quantizer has {NumQuantizers} (expected 1..{NumQuantizers})");
        using var scope = torch.NewDisposeScope();
        var residual = embeddings;
        var all = new List<Tensor>();
        for (int k = 0; k < numCodebooks; k++)
        {
            var codes = layers[k].Encode(residual);                  // (B, F)
            residual = residual - layers[k].Decode(codes);           // (B, dim, F)
            all.Add(codes);
        }
        return torch.stack(all, 1).MoveToOuterDisposeScope();        // (B, K, F)
    }

    /// <summary>(B, K, F) int64 codes → (B, dim, F): sum of the codewords of codebooks 0..K-1.</summary>
    public Tensor Decode(Tensor codes)
    {
        if (codes.dim() != 3 || codes.shape[1] < 1 || codes.shape[1] > NumQuantizers)
            throw new SmitinException($"EnCodec: codes have shape {Smitin.IO.WeightLoader.Shape(codes.shape)}, expected (batch, K, frames) with 1 <= K <= {NumQuantizers}");
        using var scope = torch.NewDisposeScope();
        Tensor? sum = null;
        for (int i = 0; i < codes.shape[1]; i++)
        {
            var q = layers[i].Decode(codes.select(1, i));            // (B, dim, F)
            sum = sum is null ? q : sum.add(q, Scalars.One);
        }
        return sum!.MoveToOuterDisposeScope();
    }
}
