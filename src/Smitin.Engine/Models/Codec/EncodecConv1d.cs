using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Smitin.Models.Codec;

/// <summary>
/// EnCodec's padded Conv1d (HF <c>EncodecConv1d</c>): pads the input so that every output frame is complete and
/// the output length is ceil(T / stride), then convolves. State-dict keys: <c>conv.weight</c>, <c>conv.bias</c>
/// (weight norm folded at load) and, with <c>norm_type = time_group_norm</c>, <c>norm.weight</c>/<c>norm.bias</c>.
///
/// Padding (reference): effective kernel k' = (k-1)*dilation+1, padding_total = k' - stride.
/// Non-causal: right = padding_total/2, left = padding_total - right; causal: left = padding_total.
/// Extra right padding makes the last frame complete. Pad mode from config (reflect: zero pre-padding when the
/// input is shorter than the pad).
/// </summary>
public sealed class EncodecConv1d : nn.Module<Tensor, Tensor>
{
    readonly Conv1d conv;
    readonly GroupNorm? norm;
    readonly bool _causal;
    readonly PaddingModes _padMode;
    readonly long _stride, _kernel, _paddingTotal;

    /// <summary>A padded conv <paramref name="inChannels"/> → <paramref name="outChannels"/> with the codec's norm and
    /// pad mode.</summary>
    /// <param name="config">the codec configuration (norm type, causal, pad mode)</param>
    /// <param name="inChannels">C_in</param><param name="outChannels">C_out</param>
    /// <param name="kernelSize">k</param><param name="stride">stride</param><param name="dilation">dilation</param>
    public EncodecConv1d(EncodecConfig config, long inChannels, long outChannels, long kernelSize, long stride = 1, long dilation = 1)
        : base(nameof(EncodecConv1d))
    {
        CodecChecks.NormType(config);
        _causal = config.UseCausalConv;
        _padMode = CodecChecks.PadMode(config);
        conv = nn.Conv1d(inChannels, outChannels, kernelSize, stride: stride, dilation: dilation);
        if (config.NormType == "time_group_norm") norm = nn.GroupNorm(1, outChannels);
        _stride = stride;
        _kernel = (kernelSize - 1) * dilation + 1;
        _paddingTotal = _kernel - stride;
        RegisterComponents();
    }

    /// <summary>Input samples on either side that an output sample can depend on: (dilated kernel − 1), so at most
    /// that; for stride 1 (every decoder conv). The left/right split is <see cref="LeftContext"/> / <see cref="RightContext"/>.</summary>
    internal long Reach => _kernel - 1;
    /// <summary>Stride-1 convs: input samples before / after an output sample's position that it reads.</summary>
    internal long LeftContext => _causal ? _paddingTotal : _paddingTotal - _paddingTotal / 2;
    internal long RightContext => _causal ? 0 : _paddingTotal / 2;
    /// <summary>A group norm over time makes every output depend on the whole input (no streaming).</summary>
    internal bool NormalizesOverTime => norm is not null;

    /// <summary>Right padding needed so that the last (partial) frame is complete (reference <c>_get_extra_padding_for_conv1d</c>).</summary>
    internal static long ExtraPadding(long length, long kernel, long stride, long paddingTotal)
    {
        // n_frames = ceil((length - kernel + padding_total) / stride) + 1; ideal = (n_frames - 1) * stride + kernel - padding_total
        long numerator = length - kernel + paddingTotal;
        long framesMinusOne = FloorDiv(numerator + stride - 1, stride); // ceil division, correct for negative numerators
        long ideal = framesMinusOne * stride + kernel - paddingTotal;
        return ideal - length;
    }

    static long FloorDiv(long a, long b) => a >= 0 ? a / b : -((-a + b - 1) / b);

    /// <summary>Pads, convolves and normalises.</summary>
    /// <param name="x">(B, C_in, T)</param>
    /// <returns>(B, C_out, ceil(T / stride))</returns>
    public override Tensor forward(Tensor x) // (B, C_in, T) -> (B, C_out, ceil(T / stride))
    {
        using var scope = torch.NewDisposeScope();
        long extra = ExtraPadding(x.shape[^1], _kernel, _stride, _paddingTotal);
        long left, right;
        if (_causal) { left = _paddingTotal; right = extra; }
        else
        {
            long r = _paddingTotal / 2;
            left = _paddingTotal - r;
            right = r + extra;
        }
        var padded = Pad1d(x, left, right, _padMode);
        var y = conv.call(padded);
        if (norm is not null) y = norm.call(y);
        return y.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// F.pad on the last dim; for reflect mode on an input no longer than the pad, zero-pads on the right first
    /// (reflect needs pad &lt; length) and removes that extra again afterwards (reference <c>_pad1d</c>).
    /// </summary>
    internal static Tensor Pad1d(Tensor x, long left, long right, PaddingModes mode)
    {
        if (left == 0 && right == 0) return x.alias();
        if (mode != PaddingModes.Reflect) return nn.functional.pad(x, [left, right], mode);
        long length = x.shape[^1];
        long maxPad = Math.Max(left, right);
        long extraPad = 0;
        using var scope = torch.NewDisposeScope();
        if (length <= maxPad)
        {
            extraPad = maxPad - length + 1;
            x = nn.functional.pad(x, [0, extraPad], PaddingModes.Constant);
        }
        var padded = nn.functional.pad(x, [left, right], PaddingModes.Reflect);
        if (extraPad > 0) padded = padded.narrow(-1, 0, padded.shape[^1] - extraPad);
        return padded.MoveToOuterDisposeScope();
    }
}
