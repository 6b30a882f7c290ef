using System.Diagnostics;
using Smitin.Audio;
using Smitin.Generation;

namespace Smitin.Tests.Models.Melody;

/// <summary>Issue 17 point 6 for MusicGen Melody: the prompt count of one call is bounded before any chroma or text is encoded.</summary>
public class MelodyLimitsTests(MelodyFixture f) : IClassFixture<MelodyFixture>
{
    [Fact]
    public void Too_many_prompts_are_refused_before_any_chroma_is_extracted_saying_how_many_fit()
    {
        var model = f.Model;
        var tune = AudioClip.Mono(new float[32000], 32000);                                   // 1 s of silence
        var options = new GenerationOptions { DurationSeconds = 1 };
        var plan = WindowPlan.Resolve(options, 0, model.Config.Decoder.NumCodebooks, model.FrameRate, model.Config.Decoder.MaxPositionEmbeddings);
        int steps = plan.Windows.Max(w => w.Steps);
        int tokens = model.Tokenizer.EncodeBatch(["rock"]).Length;
        long budget = (long)(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes * Smitin.Models.MusicGen.GenerationMemoryShare);
        long perPrompt = model.EstimateGenerationBytes(1, tokens, 0, steps, guided: true, decodeAudio: true);
        int tooMany = (int)Math.Min(int.MaxValue - 1, budget / perPrompt + 1);
        var clock = Stopwatch.StartNew();
        // before: no memory check on this path; the call extracted the chroma of every copy of the melody and started generating
        var e = Assert.ThrowsAny<SmitinException>(() => model.Generate(Enumerable.Repeat("rock", tooMany).ToArray(), [tune], options));
        Assert.Contains($"{tooMany} prompt(s) of {steps} decoder steps need at least", e.Message);
        Assert.Contains($"at most {budget / perPrompt} prompt(s) of this length fit in one call", e.Message);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"refusal took {clock.Elapsed}");
    }
}
