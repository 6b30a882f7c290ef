using System.Text.Json;
using Smitin.Audio;
using Smitin.Generation;
using Smitin.IO;
using Smitin.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Smitin.Tests.Models;

/// <summary><see cref="Smitin.Models.MusicGen.Generate(IReadOnlyList{string}, GenerationOptions?, Tensor?, IProgress{GenerationProgress}?, CancellationToken, bool)"/> over the whole fixture model.</summary>
public sealed class MusicGenGenerateTests : IDisposable
{
    readonly SafeTensorsFile _ref = Fixture.Reference();

    public void Dispose() => _ref.Dispose();

    static string[] Prompts()
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Fixture.Model(), "reference.json")));
        return doc.RootElement.GetProperty("prompts").EnumerateArray().Select(p => p.GetString()!).ToArray();
    }

    [Fact]
    public void OneAudioPromptIsSharedByEveryTextAndRecordedInTheResult()
    {
        using var scope = torch.NewDisposeScope();
        var model = TinyModel.Shared;
        var options = new GenerationOptions { Greedy = true, GuidanceScale = 3, MaxNewTokens = 20 };
        var audio = _ref.Read("cont.input_values");                                     // (1, 1, T) at the model rate
        using var result = model.Generate(Prompts()[..2], options, audio);
        var expected = _ref.Read("cont.cfg3.audio_codes")[0];                           // (1, K, F): prompt 0 + this audio
        TensorAssert.Equal(expected, result.Codes.narrow(0, 0, 1), "row 0 = the reference continuation");
        var promptCodes = _ref.Read("cont.prompt_codes")[0];                            // (1, K, P)
        TensorAssert.Equal(promptCodes, result.Codes.narrow(0, 1, 1).narrow(2, 0, promptCodes.shape[2]), "row 1 starts with the same prompt");
        Assert.Equal(Prompts()[..2], result.Texts);
        Assert.Equal((int)promptCodes.shape[2], result.PromptFrames);
        Assert.Equal(model.SampleRate, result.SampleRate);
        Assert.Equal(new long[] { 2, model.AudioChannels, result.Frames * (long)model.Config.AudioEncoder.HopLength }, result.Audio!.shape);
        TensorAssert.Close(_ref.Read("cont.cfg3.audio_values")[0], result.Audio[0], what: "row 0 audio");
    }

    [Fact]
    public void UnconditionalContinuationIsTheReferencesNullConditionAndGuidanceChangesNothing()
    {
        using var scope = torch.NewDisposeScope();
        var model = TinyModel.Shared;
        var audio = _ref.Read("cont.input_values");                                     // (1, 1, T)
        var guided = new GenerationOptions { Greedy = true, GuidanceScale = 3, MaxNewTokens = 20, RecordTrace = true };
        using var result = model.GenerateUnconditional(1, guided, audio);
        // step 0 feeds the prompt: its logits are the reference's unconditional half of the guided run's first step
        int k = model.Config.Decoder.NumCodebooks, v = model.Config.Decoder.VocabSize;
        var reference = _ref.Read("cont.cfg3.step_logits")[0].narrow(0, k, k);          // (K, V): rows [B*K, 2B*K), B = 1
        Assert.Equal(1L, result.Trace!.StepLogits.shape[1]);                             // no guidance rows
        TensorAssert.Close(reference, result.Trace.StepLogits[0].reshape(k, v), what: "step 0 logits = the reference's zero-memory rows");
        var promptCodes = _ref.Read("cont.prompt_codes")[0];                            // (1, K, P)
        TensorAssert.Equal(promptCodes, result.Codes.narrow(2, 0, promptCodes.shape[2]), "the prompt frames are re-decoded first");
        Assert.Empty(result.Texts);
        Assert.Equal((int)promptCodes.shape[2], result.PromptFrames);

        using var unguided = model.GenerateUnconditional(1, guided with { GuidanceScale = 1, RecordTrace = false }, audio);
        TensorAssert.Equal(result.Codes, unguided.Codes, "without a text condition guidance has nothing to amplify");
        using var batch = model.GenerateUnconditional(2, guided with { RecordTrace = false }, audio, decodeAudio: false);
        Assert.Equal(2L, batch.Codes.shape[0]);
        TensorAssert.Equal(result.Codes, batch.Codes.narrow(0, 1, 1), "one prompt is shared by every row");
        Assert.Null(batch.Audio);
    }

    [Fact]
    public void UnconditionalGenerationRefusesAnEmptyBatchAndAWrongPrompt()
    {
        var model = TinyModel.Shared;
        var e = Assert.Throws<SmitinException>(() => model.GenerateUnconditional(0));
        Assert.Contains("batch size 0", e.Message);
        using var wrong = torch.zeros(3, model.AudioChannels, 9600);
        e = Assert.Throws<SmitinException>(() => model.GenerateUnconditional(2, new GenerationOptions { MaxNewTokens = 4 }, wrong));
        Assert.Contains("audio prompt has shape", e.Message);
    }

    [Fact]
    public void AModelLoadedInsideADisposeScopeKeepsEveryWeightAfterIt()
    {
        Smitin.Models.MusicGen model;
        using (torch.NewDisposeScope()) model = TinyModel.Load();
        using var outside = TinyModel.Load();
        static int Weights(torch.nn.Module m) => m.parameters().Count(p => !p.IsInvalid) + m.buffers().Count(b => !b.IsInvalid);
        using (model)
        using (torch.NewDisposeScope())
        {
            Assert.Equal(Weights(outside.Text), Weights(model.Text));
            Assert.Equal(Weights(outside.Codec), Weights(model.Codec));
            Assert.Equal(Weights(outside.Decoder), Weights(model.Decoder));
            Assert.True(Weights(model.Decoder) > 2 * model.Config.Decoder.NumHiddenLayers);
            using var result = model.Generate(Prompts()[..1], new GenerationOptions { Greedy = true, MaxNewTokens = 8 }, _ref.Read("cont.input_values"));
            Assert.Equal(15 + 8 + 1 - model.Config.Decoder.NumCodebooks, result.Frames);
        }
    }

    [Fact]
    public void AClipAtAnotherRateIsConvertedBeforeEncoding()
    {
        using var scope = torch.NewDisposeScope();
        var model = TinyModel.Shared;
        var clip = AudioClip.FromTensor(_ref.Read("cont.input_values"), model.SampleRate).ToChannels(2).Resample(16000);
        using var result = model.Generate(Prompts()[..1], clip, new GenerationOptions { Greedy = true, MaxNewTokens = 8 }, decodeAudio: false);
        Assert.Null(result.Audio);
        Assert.Equal(15, result.PromptFrames);                                         // 0.3 s at 50 Hz, whatever the clip's rate
        Assert.Throws<SmitinException>(() => model.Generate([], new GenerationOptions { MaxNewTokens = 8 }));
    }
}
