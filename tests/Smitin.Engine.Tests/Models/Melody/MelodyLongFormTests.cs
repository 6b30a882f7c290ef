using Smitin.Audio;
using Smitin.Generation;
using Smitin.Models.Melody;
using Smitin.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Smitin.Tests.Models.Melody;

/// <summary>
/// MusicGen Melody past one window (issue 13): window by window as plain MusicGen, each window conditioned on the
/// melody's stretch under it (<see cref="MelodyWindow.Stretch"/>, audiocraft's <c>_generate_tokens</c>), prompted with the
/// previous window's tail. Checked step by step: every window equals a one-window generation from its prompt codes and
/// the prefix built from its own stretch (greedy, guidance 3: codes exact, scores within 1e-4), and the stretches matter
/// (the first window's prefix in a later window gives other scores).
/// </summary>
public class MelodyLongFormTests(MelodyFixture f) : IClassFixture<MelodyFixture>
{
    /// <summary>3 s at 32 kHz, a different pitch class every 0.5 s (C, E, G, B, D, F#): each stretch has its own chroma.</summary>
    static AudioClip Tune()
    {
        double[] hz = [261.63, 329.63, 392.00, 493.88, 293.66, 369.99];
        var x = new float[3 * 32000];
        for (int i = 0; i < x.Length; i++) x[i] = 0.4f * MathF.Sin((float)(2 * Math.PI * hz[i / 16000] * i / 32000));
        return AudioClip.Mono(x, 32000);
    }

    [Fact]
    public void EachWindowIsConditionedOnItsStretchOfTheMelodyAndContinuesThePreviousTail()
    {
        using var scope = torch.NewDisposeScope();
        var tune = Tune();
        string[] texts = [f.Prompts()[0]];
        var options = new GenerationOptions { Greedy = true, GuidanceScale = 3, DurationSeconds = 2.4, MaxDurationSeconds = 1, ExtendStrideSeconds = 0.6, RecordScores = true };
        using var result = f.Model.Generate(texts, [tune], options, decodeAudio: false);
        var plan = result.Plan!;
        Assert.Equal((120, 50, 30, 4), (plan.TotalFrames, plan.WindowFrames, plan.StrideFrames, plan.Windows.Count));
        Assert.Equal(120, result.Codes.shape[2]);

        using var text = f.Model.EncodeText(texts);
        var generator = f.Model.CreateCodeGenerator();
        (Tensor, Tensor) PrefixOf(AudioClip melody)
        {
            using var chroma = f.Model.Chroma.Extract([melody]);
            return f.Model.BuildMelodyPrefix(text, chroma.OneHot, 1);
        }
        GenerationResult Alone(GenerationWindow w, (Tensor Cond, Tensor Uncond) prefix) =>
            generator.Generate(null, null, w.Index == 0 ? null : result.WindowCodes[w.Index].narrow(2, 0, w.PromptFrames),
                options with { DurationSeconds = null, MaxDurationSeconds = null, ExtendStrideSeconds = null, MaxNewTokens = w.Steps },
                prefix: prefix.Cond, unconditionalPrefix: prefix.Uncond);
        Tensor ScoresOf(GenerationWindow w) => result.StepScores!.narrow(0, w.FirstStep, w.Steps);

        foreach (var w in plan.Windows)
        {
            if (w.Index > 0)                                                                      // prompted with the previous tail
                TensorAssert.Equal(result.WindowCodes[w.Index - 1].narrow(2, plan.StrideFrames, w.PromptFrames),
                    result.WindowCodes[w.Index].narrow(2, 0, w.PromptFrames), $"window {w.Index}'s prompt");
            var stretch = MelodyWindow.Stretch(tune, w.FirstFrame / plan.FrameRate, plan.WindowFrames / plan.FrameRate);
            Assert.Equal(32000, stretch.Frames);                                                  // one window (1 s) of the 3 s tune
            using var alone = Alone(w, PrefixOf(stretch));
            TensorAssert.Equal(alone.Codes, result.WindowCodes[w.Index], $"window {w.Index}'s codes");
            TensorAssert.Close(alone.StepScores!, ScoresOf(w), 1e-4, 1e-4, $"window {w.Index}'s scores");
        }

        // the stretch matters: window 2 (from 1.2 s: G then B) under the whole tune's prefix scores otherwise
        var w2 = plan.Windows[2];
        using var wholeTune = Alone(w2, PrefixOf(tune));
        double diff = (wholeTune.StepScores! - ScoresOf(w2)).abs().max().item<float>();
        Assert.True(diff > 1e-2, $"window 2 scores the same under the whole tune's prefix (max |diff| {diff:E2}): the stretch is not used");
    }

    [Fact]
    public void TextOnlyMelodyModelsRunWindowByWindowAndChromaFeaturesAreRefusedPastOneWindow()
    {
        using var scope = torch.NewDisposeScope();
        var options = new GenerationOptions { Greedy = true, DurationSeconds = 1.6, MaxDurationSeconds = 1, ExtendStrideSeconds = 0.6 };
        using var textOnly = f.Model.Generate([f.Prompts()[0]], options, decodeAudio: false);    // null chroma in every window
        Assert.Equal(2, textOnly.Plan!.Windows.Count);
        Assert.Equal(80, textOnly.Codes.shape[2]);

        using var chroma = f.Model.Chroma.Extract([Tune()]);
        var e = Assert.Throws<SmitinException>(() => f.Model.GenerateMelody([f.Prompts()[0]], chroma.OneHot, 1, options, decodeAudio: false));
        Assert.Contains("80 frames asked, one window holds 50", e.Message);
        Assert.Contains("give the melody as audio", e.Message);
    }
}
