using Smitin.Generation;
using Smitin.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Smitin.Tests.Generation;

/// <summary>Generation past the model's window on the fixture: one continuous piece, windows joined on their prompts
/// (60 s end to end: <c>GenerateLongFormCommandTests</c>).</summary>
public class LongFormGenerationTests
{
    [Fact]
    public void EachWindowContinuesThePreviousWindowsTail()
    {
        var model = TinyModel.Shared;
        var options = new GenerationOptions { DurationSeconds = 4, MaxDurationSeconds = 1.5, ExtendStrideSeconds = 0.9, Seed = 11, TopK = 16 };
        using var result = model.Generate(["90s rock song", "mellow jazz"], options);
        var plan = result.Plan!;
        Assert.True(plan.Windows.Count >= 4);
        Assert.Equal(plan.Windows.Count, result.WindowCodes.Count);
        for (int w = 0; w < plan.Windows.Count; w++)
        {
            var win = plan.Windows[w];
            var codes = result.WindowCodes[w];                                                     // (B, K, F_w)
            Assert.Equal(win.Frames, (int)codes.shape[2]);
            // the piece holds every window at its place ...
            TensorAssert.Equal(codes, result.Codes.narrow(2, win.FirstFrame, win.Frames), $"window {w} in the piece");
            if (w == 0) continue;
            // ... and window w's prompt part is window w-1's tail (its last window - stride frames)
            var prev = result.WindowCodes[w - 1];
            TensorAssert.Equal(prev.narrow(2, plan.StrideFrames, win.PromptFrames), codes.narrow(2, 0, win.PromptFrames), $"prompt of window {w}");
        }
        // the windows are not copies of each other: new frames differ from the prompt they follow
        using var a = result.WindowCodes[1].narrow(2, plan.Windows[1].PromptFrames, 10);
        using var b = result.WindowCodes[1].narrow(2, 0, 10);
        Assert.False(a.eq(b).all().item<bool>());
    }

    [Fact]
    public void AnAudioPromptOpensTheFirstWindowOnlyAndTheSameSeedGivesTheSamePiece()
    {
        var model = TinyModel.Shared;
        using var scope = torch.NewDisposeScope();
        var prompt = torch.sin(torch.arange(0, 9600, dtype: ScalarType.Float32) * (2 * Math.PI * 220 / 32000)).mul(0.3).view(1, 1, -1); // 0.3 s
        var options = new GenerationOptions { DurationSeconds = 2.5, MaxDurationSeconds = 1, ExtendStrideSeconds = 0.6, Seed = 5, TopK = 16 };
        using var one = model.Generate(["rock"], options, prompt);
        using var two = model.Generate(["rock"], options, prompt);
        Assert.Equal(15, one.PromptFrames);
        Assert.Equal(15, one.Plan!.Windows[0].PromptFrames);
        Assert.Equal(20, one.Plan.Windows[1].PromptFrames);                                       // (1 s - 0.6 s) of the previous window
        Assert.Equal(125, one.Frames);
        using var promptCodes = model.EncodeAudio(prompt).cpu();
        TensorAssert.Equal(promptCodes, one.Codes.narrow(2, 0, 15), "audio prompt frames at the start");
        TensorAssert.Equal(one.Codes, two.Codes, "same seed");
    }

    [Fact]
    public void TheIssuesTwelveSecondsNoLongerFailAndALongMaxNewTokensIsRefusedBeforeTheFirstStep()
    {
        var model = TinyModel.Shared;
        using var result = model.Generate(["rock"], new GenerationOptions { DurationSeconds = 12, Seed = 1, TopK = 16 }, decodeAudio: false);
        Assert.Equal(600, result.Frames);
        int steps = 0;
        var e = Assert.Throws<SmitinException>(() => model.Generate(["rock"], new GenerationOptions { MaxNewTokens = 600 },
            progress: new Progress(_ => steps++), decodeAudio: false));
        Assert.Contains("holds 509 frames", e.Message);
        Assert.Equal(0, steps);
    }

    sealed class Progress(Action<GenerationProgress> report) : IProgress<GenerationProgress>
    {
        public void Report(GenerationProgress value) => report(value);
    }
}
