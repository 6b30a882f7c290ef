using Smitin.Audio;
using Smitin.Generation;
using Smitin.Tests.Support;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Smitin.Tests.Models.Melody;

/// <summary>
/// Greedy MusicGen Melody generation against the reference's generate(): text + melody, text only and melody only,
/// with guidance 3 and without, through the public API (prompts and melody clips in, codes and audio out).
/// Codes and delayed sequences exact; step scores, raw logits, the prefix and the audio within atol 1e-4 + rtol 1e-4.
/// Also the EnCodec round trip of the melody checkpoint.
/// </summary>
public class MelodyGenerationTests(MelodyFixture f, ITestOutputHelper output) : IClassFixture<MelodyFixture>
{
    public static TheoryData<string> Runs => new()
    {
        "textmelody.cfg3", "textmelody.nocfg", "text.cfg3", "text.nocfg", "melody.cfg3", "melody.nocfg",
    };

    [Theory]
    [MemberData(nameof(Runs))]
    public void GreedyGenerationReproducesTheReference(string run)
    {
        using var scope = torch.NewDisposeScope();
        string mode = run.Split('.')[0], key = "gen." + run;
        bool guided = run.EndsWith("cfg3", StringComparison.Ordinal);
        int k = f.Model.Config.Decoder.NumCodebooks, v = f.Model.Config.Decoder.VocabSize;
        var steps = f.Ref($"{key}.step_scores");                                               // (steps, B*K, V)
        var options = new GenerationOptions
        {
            Greedy = true, GuidanceScale = guided ? 3.0 : 1.0, MaxNewTokens = (int)steps.shape[0], RecordScores = true, RecordTrace = true,
        };
        string[] texts = mode == "melody" ? [] : f.Prompts()[..2];
        AudioClip[] melodies = mode switch
        {
            "textmelody" => [f.Clip("chroma.a.waveform", 32000), f.Clip("chroma.b.waveform", 32000)],
            "melody" => [f.Clip("chroma.a.waveform", 32000)],
            _ => [],
        };
        using var result = melodies.Length > 0 ? f.Model.Generate(texts, melodies, options) : f.Model.Generate(texts, options);
        long b = steps.shape[1] / k, rows = guided ? 2 * b : b;

        // the prefix the loop fed (conditional rows, then unconditional ones with guidance)
        using (var text = texts.Length > 0 ? f.Model.EncodeText(texts) : null)
        {
            using var chroma = melodies.Length > 0 ? f.Model.Chroma.Extract(melodies) : null;
            var (cond, uncond) = f.Model.BuildMelodyPrefix(text, chroma?.OneHot, (int)b);
            Close($"{key}.encoder_hidden_states", guided ? torch.cat([cond, uncond], 0) : cond);
        }

        var pattern = f.Ref($"{key}.delay_pattern_mask");                                     // (B*K, L)
        long length = pattern.shape[1];
        TensorAssert.Equal(pattern, result.Pattern.reshape(b * k, length), $"{key}.delay_pattern_mask");
        TensorAssert.Equal(f.Ref($"{key}.sequences_delayed"), result.Delayed.reshape(b * k, length), $"{key}.sequences_delayed");
        var open = pattern.eq(-1);
        TensorAssert.Equal(f.Ref($"{key}.sequences_raw").masked_select(open), result.Delayed.reshape(b * k, length).masked_select(open), $"{key}.sequences_raw at -1");
        TensorAssert.Equal(f.Ref($"{key}.audio_codes")[0], result.Codes, $"{key}.audio_codes");
        TensorAssert.Equal(f.Ref($"{key}.step_decoder_input_ids"), result.Trace!.StepInputs.reshape(steps.shape[0], rows * k), $"{key}.step_decoder_input_ids");
        Close($"{key}.step_scores", result.StepScores!.reshape(steps.shape[0], b * k, v));
        if (guided) Close($"{key}.step_logits", result.Trace.StepLogits.reshape(steps.shape[0], rows * k, v));
        Close($"{key}.audio_values", result.Audio!);
    }

    [Fact]
    public void OneMelodyIsSharedByEveryPromptAndBadCountsAreRefused()
    {
        using var scope = torch.NewDisposeScope();
        var options = new GenerationOptions { Greedy = true, MaxNewTokens = 6 };
        var a = f.Clip("chroma.a.waveform", 32000);
        using var shared = f.Model.Generate(f.Prompts()[..2], [a], options, decodeAudio: false);
        using var explicitPair = f.Model.Generate(f.Prompts()[..2], [a, a], options, decodeAudio: false);
        TensorAssert.Equal(explicitPair.Codes, shared.Codes, "one melody broadcast = the same melody twice");

        var e = Assert.Throws<SmitinException>(() => f.Model.Generate(f.Prompts(), [a, a], options));
        Assert.Contains("2 melodies for 3 text prompts", e.Message);
        e = Assert.Throws<SmitinException>(() => TinyModel.Shared.Generate(["x"], [a], options));
        Assert.Contains("plain MusicGen", e.Message);
        using var prompt = torch.zeros(1, 1, 640);
        e = Assert.Throws<SmitinException>(() => f.Model.Generate(["x"], options, prompt));
        Assert.Contains("audio prompt", e.Message);
        e = Assert.Throws<SmitinException>(() => f.Model.GenerateUnconditional(1, options));
        Assert.Contains("GenerateMelody", e.Message);
    }

    [Fact]
    public void EncodecRoundTripMatches()
    {
        using var scope = torch.NewDisposeScope();
        var audio = f.Ref("encodec.input_values");                                              // (1, 1, 32000)
        var codes = f.Model.EncodeAudio(audio);                                                 // (1, K, 50)
        TensorAssert.Equal(f.Ref("encodec.audio_codes")[0], codes, "encodec.audio_codes");
        Close("encodec.audio_values", f.Model.DecodeCodes(codes));
    }

    void Close(string key, Tensor actual)
    {
        using var expected = f.Ref(key);
        using var d = (expected.to_type(ScalarType.Float64) - actual.to_type(ScalarType.Float64).cpu()).abs().max();
        output.WriteLine($"{key}: max |diff| {d.item<double>():E3}");
        TensorAssert.Close(expected, actual, 1e-4, 1e-4, key);
    }
}
