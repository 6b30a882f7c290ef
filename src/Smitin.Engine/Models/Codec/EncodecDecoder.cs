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
///
/// Inference (no autograd) runs the last, local layers (convolutions only, after the LSTM) in time tiles of about
/// <see cref="TileSamples"/> output samples, each with <see cref="Margin"/> samples of context on either side at
/// the first tiled layer's input, keeping only the samples whose receptive field lies inside the tile (the same
/// rule as <see cref="EncodecStreamDecoder"/>; the true ends are the tile's own ends, so their padding is the
/// one-shot decode's). The tiles' tensors stay small (a few MB instead of ~40 MB per tensor for 5 s at 32 kHz), so
/// they are reused from the allocator's heap instead of being mapped and page-faulted afresh for every layer, and stay
/// in the CPU cache between layers. Only floating-point summation order differs from the untiled pass (~1e-6).
/// A codec that normalises over time (<c>time_group_norm</c>) is never tiled.
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
            model.Add(new EncodecElu());
            model.Add(new EncodecConvTranspose1d(config, scale, scale / 2, kernelSize: ratio * 2, stride: ratio));
            for (int j = 0; j < config.NumResidualLayers; j++)
                model.Add(new EncodecResnetBlock(config, scale / 2, (long)Math.Pow(config.DilationGrowthRate, j)));
            scaling /= 2;
        }
        model.Add(new EncodecElu());
        model.Add(new EncodecConv1d(config, config.NumFilters, config.AudioChannels, config.LastKernelSize));
        layers = nn.ModuleList(model.ToArray());
        RegisterComponents();
        PlanTiles(DefaultTileSamples);
    }

    /// <summary>Output samples per tile of the tiled part (see the class summary).</summary>
    public const int DefaultTileSamples = 16384;
    /// <summary>The tiled part's extra work (2 · margin over the tile's own input) stays below this fraction.</summary>
    const double MaxTileOverhead = 0.05;

    int _tileStart;             // first tiled layer (layers.Count: none)
    long _tileInput, _tileUpsampling, _margin;

    /// <summary>Output samples per tile (≈; a tile is a whole number of input samples of the first tiled layer).</summary>
    internal int TileSamples { get; private set; }
    /// <summary>Index of the first tiled layer (<see cref="Layers"/>.Count when nothing is tiled).</summary>
    internal int TileStart => _tileStart;
    /// <summary>Context on each side of a tile, in input samples of the first tiled layer.</summary>
    internal long Margin => _margin;

    /// <summary>
    /// Chooses the tiled part for tiles of <paramref name="tileSamples"/> output samples: the longest run of local
    /// layers at the end (after the LSTM) whose margin costs at most <see cref="MaxTileOverhead"/> of a tile.
    /// </summary>
    /// <param name="tileSamples">output samples per tile; 0 = no tiles</param>
    internal void PlanTiles(int tileSamples)
    {
        TileSamples = tileSamples;
        _tileStart = layers.Count;
        if (tileSamples <= 0) return;
        var local = layers.ToList();
        int firstLocal = local.FindLastIndex(l => l is EncodecLstm) + 1;
        if (local.Any(NormalizesOverTime)) return;
        for (int start = firstLocal; start < layers.Count; start++)
        {
            var (reach, upsampling) = LocalReach(local.Skip(start));
            long margin = reach + 1;
            long input = Math.Max(1, tileSamples / upsampling);
            if (2.0 * margin / input > MaxTileOverhead) continue;
            _tileStart = start; _tileInput = input; _tileUpsampling = upsampling; _margin = margin;
            return;
        }
    }

    static bool NormalizesOverTime(nn.Module<Tensor, Tensor> layer) => layer switch
    {
        EncodecConv1d c => c.NormalizesOverTime,
        EncodecConvTranspose1d t => t.NormalizesOverTime,
        EncodecResnetBlock r => r.NormalizesOverTime,
        _ => false,
    };

    /// <summary>
    /// The receptive field of a run of local layers (convolutions, residual blocks, ELU), in input samples of its
    /// first layer on either side of a sample (each layer's reach rounded up to that resolution, so a safe bound), and
    /// its total upsampling factor.
    /// </summary>
    /// <exception cref="SmitinException">a layer that is not local (an LSTM)</exception>
    internal static (long Reach, long Upsampling) LocalReach(IEnumerable<nn.Module<Tensor, Tensor>> stack)
    {
        long perInput = 1, reach = 0;
        foreach (var layer in stack)
        {
            switch (layer)
            {
                case EncodecConv1d c: reach += Ceil(c.Reach, perInput); break;
                case EncodecResnetBlock r: reach += Ceil(r.Reach, perInput); break;
                case EncodecConvTranspose1d t: reach += Ceil(t.Reach, perInput); perInput *= t.Stride; break;
                case EncodecElu: break;
                default: throw new SmitinException($"EnCodec decoder: {layer.GetType().Name} is not a local layer");
            }
        }
        return (reach, perInput);
    }

    static long Ceil(long a, long b) => (a + b - 1) / b;

    /// <summary>The layers in order (layer 0 the input conv, layer 1 the LSTM), for <see cref="EncodecStreamDecoder"/>.</summary>
    internal IList<nn.Module<Tensor, Tensor>> Layers => layers;

    /// <summary>Latents to audio.</summary>
    /// <param name="latents">(B, hidden_size, F)</param>
    /// <returns>(B, audio_channels, F · hop)</returns>
    public override Tensor forward(Tensor latents) // (B, hidden_size, F) -> (B, audio_channels, F * hop)
    {
        using var scope = torch.NewDisposeScope();
        var h = latents;
        int tiled = torch.is_grad_enabled() ? layers.Count : _tileStart;
        for (int i = 0; i < tiled; i++) h = layers[i].call(h);
        if (tiled < layers.Count) h = RunTiled(h);
        return h.MoveToOuterDisposeScope();
    }

    /// <summary>Layers [<see cref="TileStart"/>, end) tile by tile (see the class summary).</summary>
    /// <param name="h">(B, C, T) the first tiled layer's input</param>
    /// <param name="onLayer">profiling: called after each layer of each tile with the layer index and its ms</param>
    /// <returns>(B, C_out, T · upsampling)</returns>
    internal Tensor RunTiled(Tensor h, Action<int, double>? onLayer = null) // (B, C, T) -> (B, C_out, T * upsampling)
    {
        long t = h.shape[2], s = _tileUpsampling;
        if (t <= _tileInput + 2 * _margin)
        {
            for (int i = _tileStart; i < layers.Count; i++) h = layers[i].call(h);
            return h;
        }
        Tensor? output = null;                                                   // (B, C_out, T · s)
        for (long a = 0; a < t; a += _tileInput)
        {
            using var tile = torch.NewDisposeScope();
            long b = Math.Min(t, a + _tileInput), lo = Math.Max(0, a - _margin), hi = Math.Min(t, b + _margin);
            var y = h.narrow(2, lo, hi - lo);                                    // (B, C, tile + context)
            for (int i = _tileStart; i < layers.Count; i++)
            {
                long t0 = onLayer is null ? 0 : System.Diagnostics.Stopwatch.GetTimestamp();
                y = layers[i].call(y);
                if (onLayer is not null) onLayer(i, System.Diagnostics.Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
            }
            output ??= torch.empty([y.shape[0], y.shape[1], t * s], dtype: y.dtype, device: y.device).MoveToOuterDisposeScope();
            output.narrow(2, a * s, (b - a) * s).copy_(y.narrow(2, (a - lo) * s, (b - a) * s));
        }
        return output!;
    }
}
