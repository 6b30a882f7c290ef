using System.Diagnostics;
using Smitin.Generation;
using Smitin.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Smitin.Tests.Generation;

/// <summary>Batching, seeds, length resolution, progress, cancellation and memory of the generation loop (fixture decoder).</summary>
[Collection(SerialCollection.Name)] // the memory test measures the whole process: no other test runs beside it
public class GenerationBehaviourTests(DecoderFixture f) : IClassFixture<DecoderFixture>
{
    CodeGenerator Generator => new(f.Lm, f.Config.DecoderStartTokenId, f.Config.AudioEncoder.FrameRate);

    /// <summary>The reference memory of prompt <paramref name="i"/> trimmed to its own tokens, as encoding it alone would give.</summary>
    (Tensor Memory, Tensor Mask) Single(int i)
    {
        var mask = f.Ref("gen.text_attention_mask")[i];
        long tokens = mask.sum().item<long>();
        return (f.Ref("gen.cfg3.encoder_hidden_states").narrow(0, i, 1).narrow(1, 0, tokens), mask.narrow(0, 0, tokens).unsqueeze(0));
    }

    [Fact]
    public void ABatchOfTwoPromptsAndEachPromptAloneGiveTheSameCodes()
    {
        using var scope = torch.NewDisposeScope();
        var options = new GenerationOptions { Greedy = true, GuidanceScale = 3, MaxNewTokens = 20 };
        var memory = f.Ref("gen.cfg3.encoder_hidden_states").narrow(0, 0, 2);
        using var both = Generator.Generate(memory, f.Ref("gen.text_attention_mask"), null, options);
        TensorAssert.Equal(f.Ref("gen.cfg3.audio_codes")[0], both.Codes, "batch of two");
        for (int i = 0; i < 2; i++)
        {
            var (m, mask) = Single(i);
            using var alone = Generator.Generate(m, mask, null, options);
            TensorAssert.Equal(both.Codes.narrow(0, i, 1), alone.Codes, $"prompt {i} alone");
        }
    }

    [Fact]
    public void SamplingIsReproducibleFromTheRecordedSeed()
    {
        using var scope = torch.NewDisposeScope();
        var (memory, mask) = Single(0);
        var options = new GenerationOptions { MaxNewTokens = 12, TopK = 10 };
        using var first = Generator.Generate(memory, mask, null, options);
        Assert.Equal(first.Seed, first.Options.Seed);
        Assert.Equal(12, first.Options.MaxNewTokens);
        using var again = Generator.Generate(memory, mask, null, first.Options);
        TensorAssert.Equal(first.Codes, again.Codes, "same seed");
        using var other = Generator.Generate(memory, mask, null, first.Options with { Seed = first.Seed + 1 });
        Assert.False(first.Codes.eq(other.Codes).all().item<bool>(), "another seed should sample other codes");
        using var topP = Generator.Generate(memory, mask, null, options with { TopP = 0.9, Seed = 3 });
        Assert.Equal(first.Codes.shape, topP.Codes.shape);
    }

    [Fact]
    public void DurationCountsTheWholeClipIncludingTheAudioPrompt()
    {
        using var scope = torch.NewDisposeScope();
        var (memory, mask) = Single(0);
        double rate = f.Config.AudioEncoder.FrameRate;
        var options = new GenerationOptions { Greedy = true, DurationSeconds = 24 / rate };
        using var text = Generator.Generate(memory, mask, null, options);
        Assert.Equal(24, text.Frames);
        var prompt = f.Ref("cont.prompt_codes")[0];                                      // (1, K, P)
        using var cont = Generator.Generate(memory, mask, prompt, options);
        Assert.Equal(24, cont.Frames);
        Assert.Equal((int)prompt.shape[2], cont.PromptFrames);
        var e = Assert.ThrowsAny<SmitinException>(() => Generator.Generate(memory, mask, prompt, options with { DurationSeconds = 10 / rate }));
        Assert.Contains("longer than the audio prompt", e.Message);
    }

    [Fact]
    public void InvalidOptionsAreNamedErrors()
    {
        using var scope = torch.NewDisposeScope();
        var (memory, mask) = Single(0);
        Assert.Contains("top-p", Assert.ThrowsAny<SmitinException>(() => Generator.Generate(memory, mask, null, new GenerationOptions { TopP = 1.5, MaxNewTokens = 8 })).Message);
        Assert.Contains("not both", Assert.ThrowsAny<SmitinException>(() => Generator.Generate(memory, mask, null, new GenerationOptions { MaxNewTokens = 8, DurationSeconds = 1 })).Message);
        Assert.Contains("max-new-tokens = 2 is too few decoder steps", Assert.ThrowsAny<SmitinException>(() => Generator.Generate(memory, mask, null, new GenerationOptions { MaxNewTokens = 2 })).Message);
        Assert.Contains("audio prompt codes", Assert.ThrowsAny<SmitinException>(() => Generator.Generate(memory, mask, torch.zeros(2, 4, 3, ScalarType.Int64), new GenerationOptions { MaxNewTokens = 8 })).Message);
    }

    /// <summary>Reports synchronously (System.Progress posts to the thread pool).</summary>
    sealed class Recorder(Action<GenerationProgress> onReport) : IProgress<GenerationProgress>
    {
        public void Report(GenerationProgress value) => onReport(value);
    }

    [Fact]
    public void ProgressIsReportedEveryStepAndCancellationStopsCleanly()
    {
        using var scope = torch.NewDisposeScope();
        var (memory, mask) = Single(1);
        var steps = new List<int>();
        using (var r = Generator.Generate(memory, mask, null, new GenerationOptions { Greedy = true, MaxNewTokens = 10 }, new Recorder(p => steps.Add(p.Step))))
            Assert.Equal(Enumerable.Range(1, 10), steps);

        long live = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        using var cts = new CancellationTokenSource();
        int reached = 0;
        var progress = new Recorder(p => { reached = p.Step; if (p.Step == 3) cts.Cancel(); });
        Assert.Throws<OperationCanceledException>(() =>
            Generator.Generate(memory, mask, null, new GenerationOptions { Greedy = true, MaxNewTokens = 50 }, progress, cts.Token));
        Assert.Equal(3, reached);
        Assert.Equal(live, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    /// <summary>
    /// Exact check: TorchSharp's live tensor count of this thread is unchanged. Coarse check: resident memory, after a
    /// warm-up (tiered JIT and allocator arenas grow the process during the first few dozen runs, then it is flat).
    /// </summary>
    [Fact]
    public void TwentyConsecutiveGenerationsDoNotGrowTheProcess()
    {
        var memory = f.Ref("gen.cfg3.encoder_hidden_states").narrow(0, 0, 2);
        var mask = f.Ref("gen.text_attention_mask");
        var options = new GenerationOptions { MaxNewTokens = 20, Seed = 1 };
        void Once() { using var r = Generator.Generate(memory, mask, null, options); }

        for (int i = 0; i < 20; i++) Once();                                             // warm-up
        long live = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        long rss = Rss();
        for (int i = 0; i < 20; i++) Once();
        Assert.Equal(live, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        long grown = Rss() - rss;
        Assert.True(grown < 16L << 20, $"resident memory grew by {grown >> 10} KiB over 20 generations");
        memory.Dispose(); mask.Dispose();
    }

    static long Rss()
    {
        GC.Collect(); GC.WaitForPendingFinalizers(); GC.Collect();
        using var p = Process.GetCurrentProcess();
        p.Refresh();
        return p.WorkingSet64;
    }
}
