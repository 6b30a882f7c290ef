using TorchSharp;
using static TorchSharp.torch;

namespace Smitin.Models.Codec;

/// <summary>
/// Decodes codes that arrive a few frames at a time into audio that equals <see cref="EncodecModel.DecodeChannels"/>
/// of all the codes, handing out each sample once it can no longer change.
///
/// The 32 kHz EnCodec decoder is not causal (<c>use_causal_conv</c> false): its convolutions read a few frames ahead,
/// and its LSTM carries state over the whole sequence. So, per call of <see cref="Decode"/>:
/// 1. the input conv runs over the new latents plus its context (<see cref="EncodecConv1d.LeftContext"/> /
///    <see cref="EncodecConv1d.RightContext"/> frames), keeping only the frames whose context is complete;
/// 2. the LSTM continues from the state it ended in last time (exact: the same recurrence, the state carried);
/// 3. the rest of the stack (ELU, transposed convs, residual blocks, final conv) is local: it runs over the LSTM
///    outputs from <see cref="MarginFrames"/> before the first sample not yet handed out, and the samples whose
///    receptive field reaches past the frames available (the last <see cref="MarginFrames"/> frames) are kept back
///    until the next call, or until the final call, whose right edge is the true end, as in a one-shot decode.
/// What differs from the one-shot decode is floating-point summation order only (measured ~1e-6 on the fixture).
/// A codec with <c>norm_type = time_group_norm</c> normalises over the whole time axis and cannot stream: refused.
/// </summary>
public sealed class EncodecStreamDecoder : IDisposable
{
    readonly EncodecModel _codec;
    readonly int _channels, _hop, _inputLeft, _inputRight;
    readonly EncodecConv1d _input;
    readonly EncodecLstm _lstm;
    readonly nn.Module<Tensor, Tensor>[] _stack;
    Tensor? _latents;            // (N, D, t) latents of frames [_latentStart, _received)
    int _latentStart;
    Tensor? _lstmOut;            // (N, C, t) LSTM outputs of frames [_lstmStart, _lstmDone)
    int _lstmStart, _lstmDone;
    (Tensor H, Tensor C)? _state;
    int _received, _emitted, _batch = -1;
    bool _finished;

    /// <summary>Frames of LSTM output before and after a sample that the local part of the decoder may read.</summary>
    public int MarginFrames { get; }
    /// <summary>Frames received so far.</summary>
    public int FramesReceived => _received;
    /// <summary>Frames whose audio has been handed out.</summary>
    public int FramesDecoded => _emitted;

    /// <param name="codec">the codec</param>
    /// <param name="channels">audio channels of the output: the codec's, or any count with a mono codec (codebooks
    /// interleaved as <see cref="EncodecModel.EncodeChannels"/> writes them)</param>
    /// <exception cref="SmitinException">the codec normalises over time (time_group_norm), or the channel count does not fit</exception>
    public EncodecStreamDecoder(EncodecModel codec, int channels)
    {
        if (channels != codec.Channels && (codec.Channels != 1 || channels < 1))
            throw new SmitinException($"EnCodec streaming: cannot decode {channels} channels with a {codec.Channels}-channel codec");
        var layers = codec.Decoder.Layers;
        if (layers.Count < 3 || layers[0] is not EncodecConv1d input || layers[1] is not EncodecLstm lstm)
            throw new SmitinException("EnCodec streaming: expected the SEANet decoder layout (conv, LSTM, upsampling blocks)");
        _codec = codec; _channels = channels; _hop = codec.HopLength;
        _input = input; _lstm = lstm;
        _stack = layers.Skip(2).ToArray();
        bool overTime = input.NormalizesOverTime || _stack.Any(l => l switch
        {
            EncodecConv1d c => c.NormalizesOverTime,
            EncodecConvTranspose1d t => t.NormalizesOverTime,
            EncodecResnetBlock r => r.NormalizesOverTime,
            _ => false,
        });
        if (overTime)
            throw new SmitinException($"EnCodec streaming: audio_encoder.norm_type is {codec.Config.NormType}, which normalises over the whole piece, so no sample is final before the end; decode the whole piece instead");
        _inputLeft = (int)input.LeftContext; _inputRight = (int)input.RightContext;

        // receptive field of the local part, in frames, rounded up layer by layer at each layer's resolution
        var (margin, perFrame) = EncodecDecoder.LocalReach(_stack);
        MarginFrames = (int)margin + 1;
    }

    /// <summary>Adds frames after those already received.</summary>
    /// <param name="codes">(B, channels·K, n) integer codes</param>
    public void Append(Tensor codes)
    {
        if (_finished) throw new InvalidOperationException("EnCodec streaming: the stream was finished");
        if (codes.dim() != 3 || codes.shape[1] % _channels != 0)
            throw new SmitinException($"EnCodec streaming: codes have shape [{string.Join(", ", codes.shape)}], expected (batch, {_channels}·K, frames)");
        if (_batch >= 0 && codes.shape[0] != _batch)
            throw new SmitinException($"EnCodec streaming: batch changed from {_batch} to {codes.shape[0]}");
        if (codes.shape[2] == 0) return;
        _batch = (int)codes.shape[0];
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var perChannel = _channels == _codec.Channels
            ? codes
            : torch.cat(Enumerable.Range(0, _channels).Select(c => codes.slice(1, c, codes.shape[1], _channels)).ToArray(), 0); // (C·B, K, n)
        var latents = _codec.Quantized(perChannel);                                               // (N, D, n)
        var all = _latents is null ? latents : torch.cat([_latents, latents], 2);
        _latents?.Dispose();
        _latents = all.DetachFromDisposeScope();
        _received += (int)codes.shape[2];
    }

    /// <summary>
    /// Decodes what has become final: the audio of frames [<see cref="FramesDecoded"/>, ...) that no later frame can
    /// change (with <paramref name="final"/>, everything: no frame follows).
    /// </summary>
    /// <returns>(B, channels, n·hop) float32 audio on the codec's device, n ≥ 0</returns>
    public Tensor Decode(bool final = false)
    {
        if (_finished) throw new InvalidOperationException("EnCodec streaming: the stream was finished");
        _finished = final;
        if (_batch < 0) return torch.zeros(0, _channels, 0);
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        int n = _batch < 0 ? 0 : _batch * (_channels == _codec.Channels ? 1 : _channels);

        // 1-2. input conv over complete contexts, then the LSTM from its last state
        int ready = final ? _received : _received - _inputRight;
        if (ready > _lstmDone && _latents is not null)
        {
            int from = Math.Max(0, _lstmDone - _inputLeft);                                        // context start
            var window = _latents.narrow(2, from - _latentStart, _received - from);                 // (N, D, t)
            var conv = _input.call(window).narrow(2, _lstmDone - from, ready - _lstmDone);          // (N, C, new)
            var (output, state) = _lstm.Forward(conv, _state);
            _state?.H.Dispose(); _state?.C.Dispose();
            _state = (state.H.DetachFromDisposeScope(), state.C.DetachFromDisposeScope());
            var lstmAll = _lstmOut is null ? output : torch.cat([_lstmOut, output], 2);
            _lstmOut?.Dispose();
            _lstmOut = lstmAll.DetachFromDisposeScope();
            _lstmDone = ready;
            int keepLatents = Math.Max(0, _lstmDone - _inputLeft);                                  // drop what no conv reads again
            if (keepLatents > _latentStart) Trim(ref _latents, ref _latentStart, keepLatents);
        }

        // 3. the local stack over [emitted - margin, lstmDone), keeping the samples whose field is complete
        int end = final ? _lstmDone : _lstmDone - MarginFrames;
        Tensor audio;                                                                               // (N, 1 or C, samples)
        if (end > _emitted && _lstmOut is not null)
        {
            int from = Math.Max(_lstmStart, _emitted - MarginFrames);
            var h = _lstmOut.narrow(2, from - _lstmStart, _lstmDone - from);
            foreach (var layer in _stack) h = layer.call(h);
            audio = h.narrow(2, (long)(_emitted - from) * _hop, (long)(end - _emitted) * _hop);
            _emitted = end;
            int keepLstm = Math.Max(0, _emitted - MarginFrames);
            if (keepLstm > _lstmStart) Trim(ref _lstmOut, ref _lstmStart, keepLstm);
        }
        else audio = torch.zeros(n, _codec.Channels, 0, device: _latents?.device ?? torch.CPU);

        if (_channels != _codec.Channels)                                                          // (C·B, 1, T) → (B, C, T)
            audio = audio.reshape(_channels, _batch, audio.shape[^1]).permute(1, 0, 2).contiguous();
        return audio.MoveToOuterDisposeScope();
    }

    static void Trim(ref Tensor? buffer, ref int start, int newStart)
    {
        var kept = buffer!.narrow(2, newStart - start, buffer.shape[2] - (newStart - start)).clone();
        buffer.Dispose();
        buffer = kept.DetachFromDisposeScope();
        start = newStart;
    }

    /// <summary>Frees the buffered latents and audio.</summary>
    public void Dispose()
    {
        _latents?.Dispose(); _lstmOut?.Dispose();
        _state?.H.Dispose(); _state?.C.Dispose();
        _latents = null; _lstmOut = null; _state = null;
    }
}
