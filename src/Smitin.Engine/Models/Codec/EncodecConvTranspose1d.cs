using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Smitin.Models.Codec;

/// <summary>
/// EnCodec's ConvTranspose1d (HF <c>EncodecConvTranspose1d</c>): transposed convolution, then the fixed padding
/// padding_total = k - stride is trimmed so the output has T * stride samples. Non-causal: padding_total/2 is
/// trimmed on the right and the rest on the left; causal: ceil(padding_total * trim_right_ratio) on the right.
/// State-dict keys <c>conv.weight</c> (in, out, k) and <c>conv.bias</c>; <c>norm.*</c> for time_group_norm.
/// </summary>
public sealed class EncodecConvTranspose1d : nn.Module<Tensor, Tensor>
{
    readonly ConvTranspose1d conv;
    readonly GroupNorm? norm;
    readonly long _trimLeft, _trimRight;

    /// <summary>A transposed conv <paramref name="inChannels"/> → <paramref name="outChannels"/> upsampling by
    /// <paramref name="stride"/>.</summary>
    /// <param name="config">the codec configuration (norm type, causal, trim ratio)</param>
    /// <param name="inChannels">C_in</param><param name="outChannels">C_out</param>
    /// <param name="kernelSize">k</param><param name="stride">upsampling factor</param>
    public EncodecConvTranspose1d(EncodecConfig config, long inChannels, long outChannels, long kernelSize, long stride = 1)
        : base(nameof(EncodecConvTranspose1d))
    {
        CodecChecks.NormType(config);
        if (!config.UseCausalConv && config.TrimRightRatio != 1.0)
            throw new SmitinException($"config.json: audio_encoder.trim_right_ratio {config.TrimRightRatio} is only valid with use_causal_conv = true (expected 1.0)");
        conv = nn.ConvTranspose1d(inChannels, outChannels, kernelSize, stride: stride);
        if (config.NormType == "time_group_norm") norm = nn.GroupNorm(1, outChannels);
        long paddingTotal = kernelSize - stride;
        _trimRight = config.UseCausalConv ? (long)Math.Ceiling(paddingTotal * config.TrimRightRatio) : paddingTotal / 2;
        _trimLeft = paddingTotal - _trimRight;
        Stride = stride;
        Reach = (kernelSize + stride - 1) / stride + 1;
        RegisterComponents();
    }

    /// <summary>Upsampling factor (the stride).</summary>
    internal long Stride { get; private set; }
    /// <summary>Input samples on either side an output sample can depend on (ceil(k / stride) + 1, a safe bound).</summary>
    internal long Reach { get; private set; }
    internal bool NormalizesOverTime => norm is not null;

    /// <summary>Transposed convolution, then the fixed padding trimmed.</summary>
    /// <param name="x">(B, C_in, F)</param>
    /// <returns>(B, C_out, F · stride)</returns>
    public override Tensor forward(Tensor x) // (B, C_in, F) -> (B, C_out, F * stride)
    {
        using var scope = torch.NewDisposeScope();
        var y = conv.call(x);                    // (B, C_out, (F-1)*stride + k)
        if (norm is not null) y = norm.call(y);
        long keep = y.shape[^1] - _trimLeft - _trimRight;
        return y.narrow(-1, _trimLeft, keep).MoveToOuterDisposeScope();
    }
}
