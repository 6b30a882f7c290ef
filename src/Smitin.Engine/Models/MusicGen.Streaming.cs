using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using Smitin.Audio;
using Smitin.Generation;
using Smitin.Models.Codec;
using TorchSharp;
using static TorchSharp.torch;

namespace Smitin.Models;

/// <summary>Generation that hands out audio while it runs: a callback, or an <see cref="IAsyncEnumerable{T}"/> of chunks.</summary>
public sealed partial class MusicGen
{
    /// <summary>
    /// Generates as <see cref="Generate(IReadOnlyList{string}, GenerationOptions?, Tensor?, IProgress{GenerationProgress}?, CancellationToken, bool)"/>
    /// (long-form and steering included) and calls <paramref name="onChunk"/> on the generating thread after every
    /// <see cref="StreamingOptions.PlaySteps"/> new frames with the audio that has become final, then once more with
    /// the rest (<see cref="AudioChunk.IsLast"/>). The chunks concatenated equal <see cref="DecodeCodes"/> of the codes
    /// up to floating-point summation order (<see cref="EncodecStreamDecoder"/>).
    /// </summary>
    /// <param name="texts">B text prompts</param>
    /// <param name="onChunk">receives each chunk and owns it (dispose it); the last chunk's <see cref="AudioChunk.Result"/>
    /// is the same object this method returns, so do not dispose it twice</param>
    /// <param name="audioPrompt">(1 or B, C, T) audio to continue, at <see cref="SampleRate"/>, or null</param>
    /// <returns>the result, its <see cref="GenerationResult.Audio"/> being the chunks concatenated</returns>
    /// <exception cref="SmitinException">bad options or a length that cannot fit (before the first step)</exception>
    /// <param name="cancellationToken">checked before every decoder step</param>
    /// <param name="options">sampling, guidance, length, seed; null = defaults</param>
    /// <param name="streaming">chunk size (<see cref="StreamingOptions.PlaySteps"/>); null = defaults</param>
    /// <param name="progress">decoder steps done</param>
    public GenerationResult GenerateStreaming(IReadOnlyList<string> texts, GenerationOptions? options, Action<AudioChunk> onChunk,
        StreamingOptions? streaming = null, Tensor? audioPrompt = null, IProgress<GenerationProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        if (texts.Count == 0) throw new SmitinException("generate: give at least one text prompt");
        options ??= new GenerationOptions();
        options.Validate();
        EnsureSteeringFits(options);
        streaming ??= new StreamingOptions();
        streaming.Validate();
        int playSteps = streaming.ResolvePlaySteps(FrameRate);
        if (!IsMelody) CheckTextRequest(texts, options, audioPrompt, decodeAudio: true);  // lengths, prompts, memory: before any encoding

        using var scope = torch.NewDisposeScope();
        using var decoder = new EncodecStreamDecoder(Codec, AudioChannels);
        var kept = new List<Tensor>();                                                   // CPU copies for the result
        int index = 0, pending = 0, window = 0;
        long sample = 0;
        var windowProgress = new Progress(progress, w => window = w);

        AudioChunk Chunk(Tensor audio, bool last, GenerationResult? result)
        {
            using var s = torch.NewDisposeScope();
            var cpu = audio.to(ScalarType.Float32).cpu().contiguous();                  // (B, C, n)
            kept.Add(cpu.clone().DetachFromDisposeScope());
            var chunk = new AudioChunk
            {
                Index = index++, Audio = cpu.clone().DetachFromDisposeScope(), SampleRate = SampleRate, FirstSample = sample,
                FramesGenerated = decoder.FramesReceived, Window = window, Elapsed = clock.Elapsed, IsLast = last, Result = result,
            };
            sample += chunk.Samples;
            return chunk;
        }

        void OnFrames(Tensor frames)                                                     // (B, K, n), final codes
        {
            decoder.Append(frames);
            pending += (int)frames.shape[2];
            if (pending < playSteps) return;
            pending = 0;
            using var s = torch.NewDisposeScope();
            var audio = decoder.Decode();
            if (audio.shape[2] > 0) onChunk(Chunk(audio, last: false, null));
        }

        GenerationResult result;
        if (IsMelody)                                                                    // text-only melody model: its conditioning prefix
        {
            if (audioPrompt is not null)
                throw new SmitinException("generate: a MusicGen Melody model does not continue an audio prompt (the reference's generate has no audio-prompt step)");
            using var text = EncodeText(texts);
            var (prefix, unconditional) = BuildMelodyPrefix(text, null, texts.Count);
            result = CreateCodeGenerator().Generate(null, null, null, options, windowProgress, cancellationToken, batchSize: (int)prefix.shape[0],
                texts: texts.ToArray(), onFrames: OnFrames, prefix: prefix, unconditionalPrefix: unconditional,
                windowPrefix: (_, _) => (prefix, unconditional));                          // no melody: the same prefix in every window
        }
        else
        {
            var promptCodes = PromptCodes(texts.Count, audioPrompt);
            using var text = EncodeText(texts);
            result = CreateCodeGenerator().Generate(text.EncoderHiddenStates, text.AttentionMask, promptCodes, options,
                windowProgress, cancellationToken, texts: texts.ToArray(), onFrames: OnFrames);
        }
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            var rest = decoder.Decode(final: true);
            var last = Chunk(rest, last: true, result);
            result.Audio = torch.cat(kept, 2).DetachFromDisposeScope();                  // (B, C, T)
            result.SampleRate = SampleRate;
            onChunk(last);
            return result;
        }
        catch
        {
            result.Dispose();
            throw;
        }
        finally
        {
            foreach (var t in kept) t.Dispose();
        }
    }

    /// <summary>Same, continuing a clip of any rate and channel count (converted to the model's).</summary>
    public GenerationResult GenerateStreaming(IReadOnlyList<string> texts, AudioClip audioPrompt, GenerationOptions? options,
        Action<AudioChunk> onChunk, StreamingOptions? streaming = null, IProgress<GenerationProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        var clip = Conform(audioPrompt);
        using var scope = torch.NewDisposeScope();
        var audio = clip.ToTensor().unsqueeze(0);                                               // (1, C, T)
        return GenerateStreaming(texts, options, onChunk, streaming, audio, progress, cancellationToken);
    }

    /// <summary>
    /// The chunks of <see cref="GenerateStreaming(IReadOnlyList{string}, GenerationOptions?, Action{AudioChunk}, StreamingOptions?, Tensor?, IProgress{GenerationProgress}?, CancellationToken)"/> as an async stream: generation runs on a worker thread and each
    /// chunk is yielded as soon as it is decoded. The last chunk carries the <see cref="AudioChunk.Result"/> (dispose it).
    /// Leaving the loop early cancels the generation; errors of the generation are rethrown by the loop.
    /// </summary>
    public async IAsyncEnumerable<AudioChunk> StreamAsync(IReadOnlyList<string> texts, GenerationOptions? options = null,
        StreamingOptions? streaming = null, Tensor? audioPrompt = null, IProgress<GenerationProgress>? progress = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        options?.Validate();
        streaming?.Validate();
        var channel = Channel.CreateUnbounded<AudioChunk>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Exception? error = null;
        var worker = Task.Run(() =>
        {
            try { GenerateStreaming(texts, options, c => channel.Writer.TryWrite(c), streaming, audioPrompt, progress, cts.Token); }
            catch (Exception e) { error = e; }
            finally { channel.Writer.TryComplete(); }
        }, CancellationToken.None);
        try
        {
            await foreach (var chunk in channel.Reader.ReadAllAsync(CancellationToken.None))
                yield return chunk;
        }
        finally
        {
            cts.Cancel();
            await worker.ConfigureAwait(false);
            while (channel.Reader.TryRead(out var unread)) { unread.Result?.Dispose(); unread.Dispose(); }
        }
        if (error is not null) ExceptionDispatchInfo.Capture(error).Throw();
    }

    /// <summary>Same, continuing a clip of any rate and channel count.</summary>
    public IAsyncEnumerable<AudioChunk> StreamAsync(IReadOnlyList<string> texts, AudioClip audioPrompt, GenerationOptions? options = null,
        StreamingOptions? streaming = null, IProgress<GenerationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var clip = Conform(audioPrompt);
        var audio = clip.ToTensor().unsqueeze(0).DetachFromDisposeScope();                // (1, C, T), kept until the stream ends
        return Owning(StreamAsync(texts, options, streaming, audio, progress, cancellationToken), audio);
    }

    static async IAsyncEnumerable<AudioChunk> Owning(IAsyncEnumerable<AudioChunk> chunks, Tensor owned)
    {
        try { await foreach (var c in chunks.ConfigureAwait(false)) yield return c; }
        finally { owned.Dispose(); }
    }

    /// <summary>Forwards progress and remembers the window under way (chunks are tagged with it).</summary>
    sealed class Progress(IProgress<GenerationProgress>? inner, Action<int> window) : IProgress<GenerationProgress>
    {
        public void Report(GenerationProgress value)
        {
            window(value.Window);
            inner?.Report(value);
        }
    }
}
