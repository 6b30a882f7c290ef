using Smitin.Generation;

namespace Smitin.Tests.Generation;

/// <summary>Windows as audiocraft's <c>_generate_tokens</c> cuts them, and every refusal made before the first step.</summary>
public class WindowPlanTests
{
    // the fixture: 50 Hz, 4 codebooks, 512 positions → 509 frames per window
    const double Rate = 50;
    const int Kc = 4, Positions = 512;

    static WindowPlan Plan(GenerationOptions o, int prompt = 0) => WindowPlan.Resolve(o, prompt, Kc, Rate, Positions);

    [Fact]
    public void APieceThatFitsRunsOnceWithTheStepsOfADuration()
    {
        var p = Plan(new GenerationOptions { DurationSeconds = 10 });
        Assert.False(p.IsLongForm);
        Assert.Equal(509, p.FrameCapacity);
        Assert.Equal(new GenerationWindow(0, 0, 0, 500, 503, 0), Assert.Single(p.Windows));
    }

    [Fact]
    public void ALongerPieceRunsWindowByWindowAsAudiocraft()
    {
        // 25 s = 1250 frames; window 509 (what fits; < 30 s), stride round(0.6 · 509) = 305, prompt 204
        var p = Plan(new GenerationOptions { DurationSeconds = 25 });
        Assert.Equal((1250, 509, 305), (p.TotalFrames, p.WindowFrames, p.StrideFrames));
        Assert.Equal([0, 305, 610, 915], p.Windows.Select(w => w.FirstFrame));
        Assert.Equal([0, 204, 204, 204], p.Windows.Select(w => w.PromptFrames));
        Assert.Equal([509, 509, 509, 335], p.Windows.Select(w => w.Frames));
        Assert.Equal(1250, p.Windows.Sum(w => w.NewFrames));                                   // the new frames tile the piece
        Assert.Equal([512, 308, 308, 134], p.Windows.Select(w => w.Steps));                     // new frames + Kc − 1
        Assert.Equal([0, 512, 820, 1128], p.Windows.Select(w => w.FirstStep));
        foreach (var w in p.Windows.Skip(1))                                                    // each prompt is the previous window's tail
        {
            var prev = p.Windows[w.Index - 1];
            Assert.Equal(prev.FirstFrame + prev.Frames, w.FirstFrame + w.PromptFrames);
        }
    }

    [Fact]
    public void StrideAndWindowOptionsAndTheAudioPromptShapeTheWindows()
    {
        var p = Plan(new GenerationOptions { DurationSeconds = 3, MaxDurationSeconds = 1, ExtendStrideSeconds = 0.4 }, prompt: 10);
        Assert.Equal((150, 50, 20), (p.TotalFrames, p.WindowFrames, p.StrideFrames));
        Assert.Equal(10, p.Windows[0].PromptFrames);                                            // the audio prompt opens window 0
        Assert.Equal(30, p.Windows[1].PromptFrames);
        Assert.Equal(150, p.Windows[0].PromptFrames + p.Windows.Sum(w => w.NewFrames));
    }

    [Fact]
    public void WhatCannotFitIsRefusedWithTheNumbersAndTheOptionThatExtends()
    {
        var e = Assert.Throws<SmitinException>(() => Plan(new GenerationOptions { MaxNewTokens = 600 }));
        Assert.Contains("597 frames", e.Message);                                               // asked
        Assert.Contains("holds 509 frames", e.Message);                                         // fits
        Assert.Contains("duration", e.Message);                                                 // the option that extends
        Assert.Contains("max_position_embeddings 512", e.Message);

        e = Assert.Throws<SmitinException>(() => Plan(new GenerationOptions { DurationSeconds = 60, MaxDurationSeconds = 12 }));
        Assert.Contains("600 frames", e.Message);
        Assert.Contains("holds 509 frames", e.Message);
        Assert.Contains("max-duration <= 10.18", e.Message);

        e = Assert.Throws<SmitinException>(() => Plan(new GenerationOptions { DurationSeconds = 30 }, prompt: 509));
        Assert.Contains("509 frames", e.Message);
        Assert.Contains("audio prompt", e.Message);

        e = Assert.Throws<SmitinException>(() => Plan(new GenerationOptions { DurationSeconds = 30, ExtendStrideSeconds = 11 }));
        Assert.Contains("extend-stride", e.Message);
        Assert.Contains("less than the window", e.Message);

        var o = Assert.Throws<OptionException>(() => new GenerationOptions { MaxDurationSeconds = 5, ExtendStrideSeconds = 5 }.Validate());
        Assert.Equal("extend-stride", o.Option);
        Assert.Contains("5 s must be shorter than max-duration 5 s", o.Message);
        foreach (var bad in new[] { 0, -1, double.NaN, double.PositiveInfinity })
        {
            Assert.Equal("max-duration", Assert.Throws<OptionException>(() => new GenerationOptions { MaxDurationSeconds = bad }.Validate()).Option);
            Assert.Equal("extend-stride", Assert.Throws<OptionException>(() => new GenerationOptions { ExtendStrideSeconds = bad }.Validate()).Option);
        }
    }

    [Fact]
    public void TheDefaultWindowIsCappedAtAudiocraftsThirtySeconds()
    {
        // musicgen-small: 2048 positions, 4 codebooks → 2045 frames (40.9 s) fit, but the window is 30 s, stride 18 s
        var p = WindowPlan.Resolve(new GenerationOptions { DurationSeconds = 60 }, 0, 4, 50, 2048);
        Assert.Equal((1500, 900), (p.WindowFrames, p.StrideFrames));
        Assert.Equal([0, 900, 1800], p.Windows.Select(w => w.FirstFrame));        // audiocraft: windows at 0, 18, 36 s
    }
}
