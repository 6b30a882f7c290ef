using TorchSharp;
using static TorchSharp.torch;

namespace Smitin.Models.Codec;

/// <summary>One quantizer layer (HF <c>EncodecVectorQuantization</c>), channel-first: holds <c>codebook</c>.</summary>
public sealed class EncodecVectorQuantizer : nn.Module
{
    readonly EncodecCodebook codebook;

    /// <summary>One quantizer layer of <paramref name="config"/>.</summary>
    public EncodecVectorQuantizer(EncodecConfig config) : base(nameof(EncodecVectorQuantizer))
    {
        codebook = new EncodecCodebook(config);
        RegisterComponents();
    }

    /// <summary>The layer's codebook.</summary>
    public EncodecCodebook Codebook => codebook;

    /// <summary>(B, dim, F) → (B, F) int64 codes.</summary>
    public Tensor Encode(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        long b = x.shape[0], f = x.shape[2];
        var rows = x.permute(0, 2, 1).reshape(-1, x.shape[1]);       // (B*F, dim)
        return codebook.Quantize(rows).view(b, f).MoveToOuterDisposeScope();
    }

    /// <summary>(B, F) int64 codes → (B, dim, F) codewords.</summary>
    public Tensor Decode(Tensor codes)
    {
        using var scope = torch.NewDisposeScope();
        return codebook.Lookup(codes).permute(0, 2, 1).contiguous().MoveToOuterDisposeScope();
    }
}
