using Smitin.Generation;
using Smitin.Models.Decoder;
using Smitin.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Smitin.Tests.Generation;

/// <summary>
/// Greedy generation against the reference's generate(): text-to-music and continuation, with guidance 3 and
/// without, driven by the reference's cross-attention memory (so the text encoder is not involved).
/// </summary>
public class GreedyParityTests(DecoderFixture f) : IClassFixture<DecoderFixture>
{
    public static TheoryData<string, bool> Runs => new()
    {
        { "gen.cfg3", false }, { "gen.nocfg", false }, { "cont.cfg3", true }, { "cont.nocfg", true },
    };

    [Theory]
    [MemberData(nameof(Runs))]
    public void GreedyGenerationReproducesTheReference(string run, bool continuation)
    {
        using var scope = torch.NewDisposeScope();
        int k = f.Config.Decoder.NumCodebooks, v = f.Config.Decoder.VocabSize;
        bool guided = run.EndsWith("cfg3", StringComparison.Ordinal);
        var steps = f.Ref($"{run}.step_scores");                                   // (steps, B*K, V)
        var refMemory = f.Ref($"{run}.encoder_hidden_states");                     // (rows, S, D)
        var refMask = f.Ref($"{run}.encoder_attention_mask");                      // (rows, S)
        long b = steps.shape[1] / k;
        if (guided) AssertUnconditionalHalfIsZero(refMemory, refMask, b);

        var options = new GenerationOptions
        {
            Greedy = true, GuidanceScale = guided ? 3.0 : 1.0, MaxNewTokens = (int)steps.shape[0],
            RecordScores = true, RecordTrace = true,
        };
        var prompt = continuation ? f.Ref("cont.prompt_codes")[0] : null;           // (B, K, P)
        var generator = new CodeGenerator(f.Lm, f.Config.DecoderStartTokenId, f.Config.AudioEncoder.FrameRate);
        using var result = generator.Generate(refMemory.narrow(0, 0, b), refMask.narrow(0, 0, b), prompt, options);

        var pattern = f.Ref($"{run}.delay_pattern_mask");                          // (B*K, L)
        long length = pattern.shape[1];
        TensorAssert.Equal(pattern, result.Pattern.reshape(b * k, length), $"{run}.delay_pattern_mask");
        TensorAssert.Equal(f.Ref($"{run}.sequences_delayed"), result.Delayed.reshape(b * k, length), $"{run}.sequences_delayed");
        // the open (-1) positions are the real predictions: the raw output agrees there
        var open = pattern.eq(-1);
        TensorAssert.Equal(f.Ref($"{run}.sequences_raw").masked_select(open), result.Delayed.reshape(b * k, length).masked_select(open), $"{run}.sequences_raw at -1");
        TensorAssert.Equal(f.Ref($"{run}.audio_codes")[0], result.Codes, $"{run}.audio_codes");
        if (continuation)
            TensorAssert.Equal(prompt!, result.Codes.narrow(2, 0, prompt!.shape[2]), "continuation re-decodes the prompt frames");

        TensorAssert.Close(steps, result.StepScores!.reshape(steps.shape[0], b * k, v), what: $"{run}.step_scores");
        long rows = guided ? 2 * b : b;
        TensorAssert.Equal(f.Ref($"{run}.step_decoder_input_ids"), result.Trace!.StepInputs.reshape(steps.shape[0], rows * k), $"{run}.step_decoder_input_ids");
        if (guided)
            TensorAssert.Close(f.Ref($"{run}.step_logits"), result.Trace.StepLogits.reshape(steps.shape[0], rows * k, v), what: $"{run}.step_logits");

        Assert.Equal(options.MaxNewTokens, result.Options.MaxNewTokens);
        Assert.Equal(result.Seed, result.Options.Seed);
        Assert.Equal((int)(prompt?.shape[2] ?? 0), result.PromptFrames);
    }

    static void AssertUnconditionalHalfIsZero(Tensor memory, Tensor mask, long b)
    {
        Assert.Equal(2 * b, memory.shape[0]);
        Assert.Equal(0.0, memory.narrow(0, b, b).abs().max().item<float>());
        Assert.Equal(0L, mask.narrow(0, b, b).abs().max().item<long>());
    }
}
