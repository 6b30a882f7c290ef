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

    public EncodecLstm(EncodecConfig config, long dimension) : base(nameof(EncodecLstm))
    {
        lstm = nn.LSTM(dimension, dimension, config.NumLstmLayers);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) // (B, C, T) -> (B, C, T)
    {
        using var scope = torch.NewDisposeScope();
        var seq = x.permute(2, 0, 1);                   // (T, B, C)
        var (output, _, _) = lstm.call(seq, null);      // (T, B, C)
        return (output + seq).permute(1, 2, 0)          // (B, C, T)
            .contiguous().MoveToOuterDisposeScope();
    }
}
