using Smitin.Generation;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Smitin.Tests.Generation;

/// <summary>Audio handed out while generating: the chunks are the one-shot decode, and they come before the end.</summary>
public class StreamingGenerationTests(ITestOutputHelper output)
{
    static readonly GenerationOptions LongForm = new() { DurationSeconds = 4, MaxDurationSeconds = 1.5, ExtendStrideSeconds = 0.9, Seed = 8, TopK = 16 };

    [Fact]
    public void StreamedChunksEqualTheOneShotDecodeAcrossWindows()
    {
        var model = TinyModel.Shared;
        var chunks = new List<AudioChunk>();
        using var result = model.GenerateStreaming(["90s rock song", "jazz"], LongForm, chunks.Add, new StreamingOptions { PlaySteps = 10 });
        try
        {
            Assert.True(result.Plan!.Windows.Count >= 4);
            Assert.Same(result, chunks[^1].Result);
            Assert.True(chunks[^1].IsLast && chunks.Take(chunks.Count - 1).All(c => !c.IsLast && c.Result is null));
            long at = 0;
            foreach (var c in chunks) { Assert.Equal(at, c.FirstSample); at += c.Samples; }          // no gap, no overlap
            Assert.Contains(chunks, c => c.Window > 0);                                               // chunks during later windows
            var first = chunks[0];
            Assert.True(first.FramesGenerated < result.Frames && first.Elapsed < chunks[^1].Elapsed, "the first chunk comes before the end");

            using var streamed = torch.cat(chunks.Select(c => c.Audio).ToArray(), 2);
            using var oneShot = model.DecodeCodes(result.Codes).cpu();
            Assert.Equal(oneShot.shape, streamed.shape);
            double diff = (streamed - oneShot).abs().max().item<float>();
            output.WriteLine($"{chunks.Count} chunks, first after {first.Elapsed.TotalMilliseconds:F0} ms ({first.FramesGenerated} frames), max |streamed - one-shot| {diff:E2}");
            Assert.True(diff <= 1e-4, $"max |diff| {diff:E3}");
            TensorAssert.Close(oneShot, result.Audio!, 1e-4, 0, "result audio = the chunks");
        }
        finally { foreach (var c in chunks) c.Dispose(); }
    }

    [Fact]
    public async Task StreamAsyncYieldsTheSameChunksAndTheResultLast()
    {
        var model = TinyModel.Shared;
        var options = LongForm with { DurationSeconds = 2 };
        using var direct = model.Generate(["rock"], options);
        var chunks = new List<AudioChunk>();
        await foreach (var c in model.StreamAsync(["rock"], options, new StreamingOptions { PlaySteps = 20 }))
            chunks.Add(c);
        using var result = chunks[^1].Result!;
        try
        {
            Assert.True(chunks.Count > 2);
            TensorAssert.Equal(direct.Codes, result.Codes, "same seed, same codes");
            using var streamed = torch.cat(chunks.Select(c => c.Audio).ToArray(), 2);
            TensorAssert.Close(direct.Audio!, streamed, 1e-4, 0, "streamed vs Generate");
        }
        finally { foreach (var c in chunks) c.Dispose(); }
    }

    [Fact]
    public async Task LeavingTheLoopEarlyCancelsAndErrorsSurfaceInTheLoop()
    {
        var model = TinyModel.Shared;
        int seen = 0;
        await foreach (var c in model.StreamAsync(["rock"], LongForm, new StreamingOptions { PlaySteps = 5 }))
        {
            c.Dispose();
            if (++seen == 2) break;                                                                   // the worker is cancelled and awaited
        }
        Assert.Equal(2, seen);
        var e = await Assert.ThrowsAsync<SmitinException>(async () =>
        {
            await foreach (var c in model.StreamAsync(["rock"], new GenerationOptions { MaxNewTokens = 900 })) c.Dispose();
        });
        Assert.Contains("holds 509 frames", e.Message);
        Assert.Equal("play-steps", Assert.Throws<OptionException>(() => new StreamingOptions { PlaySteps = 0 }.Validate()).Option);
    }
}
