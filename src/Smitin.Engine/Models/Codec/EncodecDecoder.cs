using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Smitin.Models.Codec;

/// <summary>
/// SEANet decoder (HF <c>EncodecDecoder</c>): quantised latents (B, hidden_size, F) → audio
/// (B, audio_channels, F · hop). <c>layers</c> mirrors the encoder, in the reference's order
/// (keys <c>audio_encoder.decoder.layers.N...</c>):
/// <code>
/// conv(hidden_size → 2^R·F, kernel_size); LSTM(2^R·F)
/// for ratio in upsampling_ratios, scale s = 2^R·F, ..., 2F:
///     ELU; conv-transpose(s → s/2, k = 2·ratio, stride = ratio); num_residual_layers × resnet block(s/2, dilation_growth_rate^j)
/// ELU; conv(F → audio_channels, last_kernel_size)
/// </code>
/// With 4 ratios and 1 residual layer: 0 conv, 1 LSTM, 3/6/9/12 conv-transpose, 4/7/10/13 resnet, 15 final conv.
/// </summary>
public sealed class EncodecDecoder : nn.Module<Tensor, Tensor>
{
    readonly ModuleList<nn.Module<Tensor, Tensor>> layers;

    /// <summary>The decoder of <paramref name="config"/> (weights uninitialised).</summary>
    public EncodecDecoder(EncodecConfig config) : base(nameof(EncodecDecoder))
    {
        long scaling = 1L << config.UpsamplingRatios.Length;
        var model = new List<nn.Module<Tensor, Tensor>>
        {
            new EncodecConv1d(config, config.HiddenSize, scaling * config.NumFilters, config.KernelSize),
            new EncodecLstm(config, scaling * config.NumFilters),
        };
        foreach (int ratio in config.UpsamplingRatios)
        {
            long scale = scaling * config.NumFilters;
            model.Add(nn.ELU());
            model.Add(new EncodecConvTranspose1d(config, scale, scale / 2, kernelSize: ratio * 2, stride: ratio));
            for (int j = 0; j < config.NumResidualLayers; j++)
                model.Add(new EncodecResnetBlock(config, scale / 2, (long)Math.Pow(config.DilationGrowthRate, j)));
            scaling /= 2;
        }
        model.Add(nn.ELU());
        model.Add(new EncodecConv1d(config, config.NumFilters, config.AudioChannels, config.LastKernelSize));
        layers = nn.ModuleList(model.ToArray());
        RegisterComponents();
    }

    /// <summary>The layers in order (layer 0 the input conv, layer 1 the LSTM), for <see cref="EncodecStreamDecoder"/>.</summary>
    internal IList<nn.Module<Tensor, Tensor>> Layers => layers;

    /// <summary>Latents to audio.</summary>
    /// <param name="latents">(B, hidden_size, F)</param>
    /// <returns>(B, audio_channels, F · hop)</returns>
    public override Tensor forward(Tensor latents) // (B, hidden_size, F) -> (B, audio_channels, F * hop)
    {
        using var scope = torch.NewDisposeScope();
        var h = latents;
        foreach (var layer in layers) h = layer.call(h);
        return h.MoveToOuterDisposeScope();
    }
}
