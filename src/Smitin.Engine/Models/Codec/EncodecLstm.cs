using Smitin.Native;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Smitin.Models.Codec;

/// <summary>
/// EnCodec's LSTM block (HF <c>EncodecLSTM</c>): a stacked unidirectional <c>torch.nn.LSTM</c> (dim → dim,
/// <c>num_lstm_layers</c> layers, zero initial state) over time, with a skip connection: <c>lstm(x) + x</c>.
/// State-dict keys follow PyTorch: <c>lstm.weight_ih_l{n}</c>, <c>lstm.weight_hh_l{n}</c>, <c>lstm.bias_ih_l{n}</c>,
/// <c>lstm.bias_hh_l{n}</c> (gate order i, f, g, o).
/// </summary>
public sealed class EncodecLstm : nn.Module<Tensor, Tensor>
{
    readonly LSTM lstm;

    /// <summary>An LSTM block over <paramref name="dimension"/> channels with <c>num_lstm_layers</c> layers.</summary>
    /// <param name="config">the codec configuration</param><param name="dimension">channels C</param>
    public EncodecLstm(EncodecConfig config, long dimension) : base(nameof(EncodecLstm))
    {
        lstm = nn.LSTM(dimension, dimension, config.NumLstmLayers);
        RegisterComponents();
    }

    /// <summary>
    /// The same over a piece of a longer sequence: starts from <paramref name="state"/> (null = zeros, the sequence's
    /// start) and returns the state after the piece, so consecutive pieces give the output of the whole sequence.
    /// </summary>
    /// <param name="x">(B, C, T)</param>
    /// <param name="state">(h, c), each (layers, B, C), or null</param>
    /// <returns>(B, C, T) output and the state after the last step</returns>
    internal (Tensor Output, (Tensor H, Tensor C) State) Forward(Tensor x, (Tensor H, Tensor C)? state)
    {
        using var scope = torch.NewDisposeScope();
        var seq = x.permute(2, 0, 1);                   // (T, B, C)
        var (output, h, c) = lstm.call(seq, state);     // (T, B, C), (layers, B, C) × 2
        var y = output.add(seq, Scalars.One).permute(1, 2, 0).contiguous(); // (B, C, T)
        return (y.MoveToOuterDisposeScope(), (h.MoveToOuterDisposeScope(), c.MoveToOuterDisposeScope()));
    }

    /// <summary>lstm(x) + x over time.</summary>
    /// <param name="x">(B, C, T)</param>
    /// <returns>(B, C, T)</returns>
    public override Tensor forward(Tensor x) // (B, C, T) -> (B, C, T)
    {
        using var scope = torch.NewDisposeScope();
        var seq = x.permute(2, 0, 1);                   // (T, B, C)
        var (output, _, _) = lstm.call(seq, null);      // (T, B, C)
        return output.add(seq, Scalars.One).permute(1, 2, 0) // (B, C, T)
            .contiguous().MoveToOuterDisposeScope();
    }
}
