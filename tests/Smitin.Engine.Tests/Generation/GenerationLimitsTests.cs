using System.Diagnostics;
using Smitin.Generation;
using TorchSharp;
using static TorchSharp.torch;

namespace Smitin.Tests.Generation;

/// <summary>
/// Issue 17 items 1, 2, 6 and 8 on the engine: option values that overflow float32, lengths past the decoder's context
/// or an int, non-finite scores, and unbounded inputs (prompt length, prompts per call, audio prompt length) end in a
/// named <see cref="SmitinException"/> before anything is allocated, never in a native error.
/// </summary>
public sealed class GenerationLimitsTests : IDisposable
{
    readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    static SmitinException Refused(Action act) => Assert.ThrowsAny<SmitinException>(act); // OptionException names the option

    [Theory]
    [InlineData("guidance", 1e39)]
    [InlineData("guidance", double.PositiveInfinity)]
    [InlineData("guidance", double.NaN)]
    [InlineData("guidance", 101)]
    [InlineData("temperature", 1e-45)]                // a denormal: scores / T is +inf in float32
    [InlineData("temperature", 1e-4)]
    [InlineData("temperature", 1e39)]
    [InlineData("temperature", -0.5)]
    [InlineData("top-p", double.NaN)]
    [InlineData("top-p", 1.0000001)]
    public void Values_valid_as_doubles_but_not_in_float32_arithmetic_are_named(string option, double value)
    {
        var o = option switch
        {
            "guidance" => new GenerationOptions { GuidanceScale = value },
            "temperature" => new GenerationOptions { Temperature = value },
            _ => new GenerationOptions { TopP = value },
        };
        var e = Refused(o.Validate);
        Assert.Contains(option, e.Message);                                                   // named, with the accepted range
        Assert.Contains("expected", e.Message);
        Assert.Contains("finite", e.Message);
    }

    [Fact]
    public void Extreme_but_valid_values_are_accepted()
    {
        new GenerationOptions { GuidanceScale = 100, Temperature = 100 }.Validate();
        new GenerationOptions { GuidanceScale = -0.0, Temperature = -0.0, TopP = 5e-324 }.Validate();   // -0 = 0: no guidance, greedy
        new GenerationOptions { Temperature = 1e-3, TopK = int.MaxValue, Seed = long.MinValue }.Validate();
    }

    [Fact]
    public void Non_finite_scores_are_a_named_error_with_the_step_not_a_native_abort()
    {
        using var scope = torch.NewDisposeScope();
        var nan = torch.tensor(new float[] { 0, float.NaN, 1 }).reshape(1, 3);
        var e = Refused(() => Sampler.Next(nan, new GenerationOptions(), new Generator(1), step: 4));
        Assert.Contains("decoder step 5", e.Message);
        // finite scores that the temperature pushes past float32: softmax would give NaN
        var huge = torch.tensor(new float[] { 3e38f, 0, -3e38f }).reshape(1, 3);
        e = Refused(() => Sampler.Next(huge, new GenerationOptions { Temperature = 1e-3 }, new Generator(1), step: 0));
        Assert.Contains("temperature = 0.001", e.Message);

        // a checkpoint whose logits overflow: a +inf in an lm head (sampling, as by default)
        string dir = FixtureCopy.Copy(_dir["inf"], "reference.safetensors");
        FixtureCopy.PatchFloat(dir, "decoder.lm_heads.0.weight", 5, float.PositiveInfinity);
        using var model = TinyModel.Load(dir);
        e = Refused(() => model.Generate(["rock"], new GenerationOptions { MaxNewTokens = 8, Seed = 1 }, decodeAudio: false).Dispose());
        Assert.Contains("decoder step 1 of 8: the decoder's logits are not finite", e.Message);
    }

    [Fact]
    public void Lengths_are_checked_against_the_context_before_anything_is_allocated()
    {
        var model = TinyModel.Shared;                                                        // max_position_embeddings 512, 4 codebooks, 50 Hz
        var clock = Stopwatch.StartNew();
        var e = Refused(() => model.Generate(["rock"], new GenerationOptions { MaxNewTokens = 2_000_000_000 }));
        Assert.Contains("max-new-tokens = 2000000000: with 0 prompt frames at most 512 new tokens fit", e.Message);
        e = Refused(() => model.Generate(["rock"], new GenerationOptions { MaxNewTokens = int.MaxValue }));
        Assert.Contains("at most 512 new tokens fit", e.Message);
        e = Refused(() => model.Generate(["rock"], new GenerationOptions { DurationSeconds = 1e300 }));   // was a negative int step count
        Assert.Contains("duration = 1E+300 s is 5", e.Message);
        Assert.Contains("the model's context holds at most 509 frames (10.18 s", e.Message);
        e = Refused(() => model.Generate(["rock"], new GenerationOptions { DurationSeconds = double.PositiveInfinity }));
        Assert.Contains("duration = Infinity: expected a finite number of seconds > 0", e.Message);   // was "must be > 0"
        e = Refused(() => model.Generate(["rock"], new GenerationOptions { MaxNewTokens = 513 }));
        Assert.Contains("at most 512 new tokens fit", e.Message);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"refusals took {clock.Elapsed}");

        // no audio prompt: a too short duration names the frames needed, not an audio prompt
        e = Refused(() => model.Generate(["rock"], new GenerationOptions { DurationSeconds = 0.001 }));
        Assert.DoesNotContain("audio prompt", e.Message);
        Assert.Contains("duration = 0.001 s is 0 frames at 50 Hz: the delay pattern of 4 codebooks per channel needs at least 3 frames (0.06 s)", e.Message);

        // exactly what fits: 512 new tokens in 512 positions (step N feeds position N - 1)
        using var full = model.Generate(["rock"], new GenerationOptions { MaxNewTokens = 512, Greedy = true }, decodeAudio: false);
        Assert.Equal(512 + 1 - 4, full.Frames);
    }

    [Fact]
    public void An_audio_prompt_longer_than_the_context_is_refused_before_it_is_encoded()
    {
        var model = TinyModel.Shared;
        using var audio = torch.zeros(1, 1, 32000 * 11);                                   // 11 s = 550 frames > 512 positions
        var e = Refused(() => model.Generate(["rock"], new GenerationOptions { MaxNewTokens = 8 }, audio));
        Assert.Contains("the audio prompt is 550 frames (11 s)", e.Message);
        e = Refused(() => model.Generate(["rock"], new GenerationOptions { DurationSeconds = 12 }, audio));
        Assert.Contains("the model's context holds at most 509 frames", e.Message);
    }

    [Fact]
    public void Unbounded_text_inputs_are_refused_with_the_limit()
    {
        var model = TinyModel.Shared;
        Assert.Equal(512, model.Tokenizer.ModelMaxLength);                                   // tokenizer_config.json
        string prompt = string.Join(" ", Enumerable.Range(0, 6000).Select(i => "drums bass"))[..40_000];
        var clock = Stopwatch.StartNew();
        var e = Refused(() => model.Generate([prompt], new GenerationOptions { MaxNewTokens = 8 }));
        Assert.Contains("text prompt 1 (40000 characters) is", e.Message);
        Assert.Contains("takes at most 512 (tokenizer_config.json model_max_length)", e.Message);
        Assert.Contains("refused rather than truncated", e.Message);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"refusal took {clock.Elapsed}");

        // prompts per call: a batch whose caches and audio cannot fit in memory is refused up front, saying how many fit
        var options = new GenerationOptions { DurationSeconds = 10 };
        long budget = (long)(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes * Smitin.Models.MusicGen.GenerationMemoryShare);
        long perPrompt = model.EstimateGenerationBytes(1, 3, 0, 503, guided: true, decodeAudio: true);
        int tooMany = (int)Math.Min(int.MaxValue - 1, budget / perPrompt + 1);
        clock.Restart();
        e = Refused(() => model.Generate(Enumerable.Repeat("rock", tooMany).ToArray(), options));
        Assert.Contains($"{tooMany} prompt(s) of 503 decoder steps need at least", e.Message);
        Assert.Contains($"at most {budget / perPrompt} prompt(s) of this length fit in one call", e.Message);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"refusal took {clock.Elapsed}");
    }

    [Fact]
    public void Streaming_checks_prompt_count_prompt_length_and_audio_prompt_length_before_any_encoding()
    {
        // The same bounds as Generate, before anything is encoded. Before, GenerateStreaming had no memory estimate:
        // a batch that cannot fit started encoding and generating (here: cancelled after 60 s instead of refused);
        // the prompt-length and audio-prompt refusals came only after encoding the text / the audio prompt.
        var model = TinyModel.Shared;
        var options = new GenerationOptions { DurationSeconds = 10 };
        long budget = (long)(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes * Smitin.Models.MusicGen.GenerationMemoryShare);
        long perPrompt = model.EstimateGenerationBytes(1, 3, 0, 503, guided: true, decodeAudio: true);
        int tooMany = (int)Math.Min(int.MaxValue - 1, budget / perPrompt + 1);
        int chunks = 0;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));             // before: still generating
        var clock = Stopwatch.StartNew();
        var e = Refused(() => model.GenerateStreaming(Enumerable.Repeat("rock", tooMany).ToArray(), options, _ => chunks++, cancellationToken: cts.Token));
        Assert.Contains($"at most {budget / perPrompt} prompt(s) of this length fit in one call", e.Message);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"refusal took {clock.Elapsed}");

        string prompt = string.Join(" ", Enumerable.Range(0, 6000).Select(i => "drums bass"))[..40_000];
        e = Refused(() => model.GenerateStreaming([prompt], new GenerationOptions { MaxNewTokens = 8 }, _ => chunks++));
        Assert.Contains("takes at most 512 (tokenizer_config.json model_max_length)", e.Message);

        using var audio = torch.zeros(1, 1, 32000 * 11);                                   // 11 s = 550 frames > 512 positions
        e = Refused(() => model.GenerateStreaming(["rock"], new GenerationOptions { MaxNewTokens = 8 }, _ => chunks++, audioPrompt: audio));
        Assert.Contains("the audio prompt is 550 frames (11 s)", e.Message);
        Assert.Equal(0, chunks);
    }
}
