using Smitin.Native;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Smitin.Models.Codec;

/// <summary>
/// SEANet residual block (HF <c>EncodecResnetBlock</c>): <c>block</c> = [ELU, conv(dim → dim/compress,
/// k = residual_kernel_size, dilation d), ELU, conv(dim/compress → dim, k = 1)], added to the shortcut:
/// identity, or a k = 1 conv (<c>shortcut.conv.*</c>) when <c>use_conv_shortcut</c>.
/// </summary>
public sealed class EncodecResnetBlock : nn.Module<Tensor, Tensor>
{
    readonly ModuleList<nn.Module<Tensor, Tensor>> block;
    readonly nn.Module<Tensor, Tensor> shortcut;

    /// <param name="dilation">dilation of the first conv (dilation_growth_rate^j); the second conv has dilation 1</param>
    /// <param name="config">the codec configuration (compress, kernel sizes, conv shortcut)</param>
    /// <param name="dim">channels in and out</param>
    public EncodecResnetBlock(EncodecConfig config, long dim, long dilation) : base(nameof(EncodecResnetBlock))
    {
        long hidden = dim / config.Compress;
        block = nn.ModuleList<nn.Module<Tensor, Tensor>>(
            new EncodecElu(),
            new EncodecConv1d(config, dim, hidden, config.ResidualKernelSize, dilation: dilation),
            new EncodecElu(),
            new EncodecConv1d(config, hidden, dim, 1));
        shortcut = config.UseConvShortcut ? new EncodecConv1d(config, dim, dim, 1) : nn.Identity();
        RegisterComponents();
    }

    /// <summary>Input samples on either side an output sample can depend on (the sum over its convs).</summary>
    internal long Reach => block.OfType<EncodecConv1d>().Sum(c => c.Reach) + (shortcut is EncodecConv1d s ? s.Reach : 0);
    internal bool NormalizesOverTime => block.OfType<EncodecConv1d>().Any(c => c.NormalizesOverTime) || shortcut is EncodecConv1d { NormalizesOverTime: true };

    /// <summary>x + block(x) (or shortcut(x) + block(x)).</summary>
    /// <param name="x">(B, dim, T)</param>
    /// <returns>(B, dim, T)</returns>
    public override Tensor forward(Tensor x) // (B, dim, T) -> (B, dim, T)
    {
        using var scope = torch.NewDisposeScope();
        var h = x;
        foreach (var layer in block) h = layer.call(h);
        return shortcut.call(x).add(h, Scalars.One).MoveToOuterDisposeScope();
    }
}
