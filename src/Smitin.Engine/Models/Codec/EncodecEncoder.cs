using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Smitin.Models.Codec;

/// <summary>
/// SEANet encoder (HF <c>EncodecEncoder</c>): audio (B, audio_channels, T) → pre-quantisation latents
/// (B, hidden_size, ceil(T / hop)). <c>layers</c> is built in the reference's order, so the indices match the
/// checkpoint keys (<c>audio_encoder.encoder.layers.N...</c>):
/// <code>
/// conv(audio_channels → F, kernel_size)
/// for ratio in reversed(upsampling_ratios), scale s = F, 2F, 4F, ...:
///     num_residual_layers × resnet block(s, dilation = dilation_growth_rate^j); ELU; conv(s → 2s, k = 2·ratio, stride = ratio)
/// LSTM(16F for 4 ratios); ELU; conv(→ hidden_size, last_kernel_size)
/// </code>
/// With 4 ratios and 1 residual layer: 0 conv, 1/4/7/10 resnet, 3/6/9/12 downsampling, 13 LSTM, 15 final conv.
/// </summary>
public sealed class EncodecEncoder : nn.Module<Tensor, Tensor>
{
    readonly ModuleList<nn.Module<Tensor, Tensor>> layers;

    /// <summary>The encoder of <paramref name="config"/> (weights uninitialised).</summary>
    public EncodecEncoder(EncodecConfig config) : base(nameof(EncodecEncoder))
    {
        var model = new List<nn.Module<Tensor, Tensor>>
        {
            new EncodecConv1d(config, config.AudioChannels, config.NumFilters, config.KernelSize),
        };
        long scaling = 1;
        foreach (int ratio in config.UpsamplingRatios.Reverse())
        {
            long scale = scaling * config.NumFilters;
            for (int j = 0; j < config.NumResidualLayers; j++)
                model.Add(new EncodecResnetBlock(config, scale, (long)Math.Pow(config.DilationGrowthRate, j)));
            model.Add(new EncodecElu());
            model.Add(new EncodecConv1d(config, scale, scale * 2, kernelSize: ratio * 2, stride: ratio));
            scaling *= 2;
        }
        model.Add(new EncodecLstm(config, scaling * config.NumFilters));
        model.Add(new EncodecElu());
        model.Add(new EncodecConv1d(config, scaling * config.NumFilters, config.HiddenSize, config.LastKernelSize));
        layers = nn.ModuleList(model.ToArray());
        RegisterComponents();
    }

    /// <summary>Audio to latents.</summary>
    /// <param name="audio">(B, audio_channels, T)</param>
    /// <returns>(B, hidden_size, ceil(T / hop))</returns>
    public override Tensor forward(Tensor audio) // (B, audio_channels, T) -> (B, hidden_size, frames)
    {
        using var scope = torch.NewDisposeScope();
        var h = audio;
        foreach (var layer in layers) h = layer.call(h);
        return h.MoveToOuterDisposeScope();
    }
}
