using static TorchSharp.torch;

namespace Smitin.Generation;

/// <summary>
/// A piece of audio handed out while a generation runs. Chunks follow each other without gap or overlap: concatenated
/// they are the decoded piece (<see cref="Models.Codec.EncodecStreamDecoder"/>). Owns <see cref="Audio"/>: dispose it.
/// </summary>
public sealed class AudioChunk : IDisposable
{
    /// <summary>0 for the first chunk.</summary>
    public required int Index { get; init; }
    /// <summary>(B, C, T) float32 CPU samples of this chunk (T may be 0 for the last chunk).</summary>
    public required Tensor Audio { get; init; }
    /// <summary>Sample rate of <see cref="Audio"/> in Hz.</summary>
    public required int SampleRate { get; init; }
    /// <summary>Position of the chunk's first sample in the piece.</summary>
    public required long FirstSample { get; init; }
    /// <summary>Frames generated (complete) when the chunk was handed out, the audio prompt included.</summary>
    public required int FramesGenerated { get; init; }
    /// <summary>Window under way when the chunk was handed out (0 unless the piece is longer than a window).</summary>
    public required int Window { get; init; }
    /// <summary>Time since the generation started (text encoding included) when the chunk was handed out.</summary>
    public required TimeSpan Elapsed { get; init; }
    /// <summary>The last chunk of the generation.</summary>
    public required bool IsLast { get; init; }
    /// <summary>On the last chunk: the whole result (codes, steering record, <see cref="GenerationResult.Audio"/> = the
    /// chunks concatenated). The receiver owns it and disposes it; null on the other chunks.</summary>
    public GenerationResult? Result { get; init; }

    /// <summary>Samples per channel in this chunk.</summary>
    public long Samples => Audio.shape[2];
    /// <summary>Length of the chunk in seconds.</summary>
    public double Seconds => (double)Samples / SampleRate;
    /// <summary>Position of the chunk's first sample in seconds.</summary>
    public double StartSeconds => (double)FirstSample / SampleRate;

    /// <summary>Frees <see cref="Audio"/> (not <see cref="Result"/>, which the receiver disposes).</summary>
    public void Dispose() => Audio.Dispose();
}
