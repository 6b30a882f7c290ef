using System.Text.Json;
using Smitin.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Smitin.Tests.Models.Text;

/// <summary>
/// The text side of the fixture model, loaded through the public MusicGen.Load, against the reference tensors
/// (tolerance from the fixture README: atol 1e-4 + rtol 1e-4 for float32 hidden states).
/// </summary>
public class T5ParityTests
{
    const double Atol = 1e-4, Rtol = 1e-4;

    static string[] Prompts()
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Fixture.Model(), "reference.json")));
        return doc.RootElement.GetProperty("prompts").EnumerateArray().Select(p => p.GetString()!).ToArray();
    }

    [Fact]
    public void HiddenStatesProjectionAndMemoryMatchTheReference()
    {
        var model = TinyModel.Shared;
        using var scope = torch.NewDisposeScope();
        using var reference = Fixture.Reference();
        using var cond = model.EncodeText(Prompts(), outputHiddenStates: true);

        TensorAssert.Equal(reference.Read("tokenizer.input_ids"), cond.InputIds, "tokenizer.input_ids");
        TensorAssert.Equal(reference.Read("tokenizer.attention_mask"), cond.AttentionMask, "tokenizer.attention_mask");
        Assert.Equal(model.Config.TextEncoder.NumLayers + 1, cond.HiddenStates!.Count);
        for (int i = 0; i < cond.HiddenStates.Count; i++)
            TensorAssert.Close(reference.Read($"t5.hidden_states.{i}"), cond.HiddenStates[i], Atol, Rtol, $"t5.hidden_states.{i}");
        TensorAssert.Close(reference.Read("t5.last_hidden_state"), cond.LastHiddenState, Atol, Rtol, "t5.last_hidden_state");
        using (torch.no_grad())
            TensorAssert.Close(reference.Read("t5.projected"), model.Text.Project(cond.LastHiddenState), Atol, Rtol, "t5.projected");
        TensorAssert.Close(reference.Read("t5.encoder_hidden_states"), cond.EncoderHiddenStates, Atol, Rtol, "t5.encoder_hidden_states");
    }

    [Fact]
    public void TwoPromptBatchMatchesTheLmReference()
    {
        // A different batch (two prompts, padded to 25 by the second) must give the lm.* memory.
        var model = TinyModel.Shared;
        using var scope = torch.NewDisposeScope();
        using var reference = Fixture.Reference();
        using var cond = model.EncodeText(Prompts()[..2]);
        TensorAssert.Equal(reference.Read("lm.text_input_ids"), cond.InputIds, "lm.text_input_ids");
        TensorAssert.Close(reference.Read("lm.encoder_last_hidden_state"), cond.LastHiddenState, Atol, Rtol, "lm.encoder_last_hidden_state");
        TensorAssert.Close(reference.Read("lm.encoder_hidden_states"), cond.EncoderHiddenStates, Atol, Rtol, "lm.encoder_hidden_states");
        Assert.Null(cond.HiddenStates);
    }

    [Fact]
    public void PaddedPositionsOfTheMemoryAreExactlyZero()
    {
        var model = TinyModel.Shared;
        using var scope = torch.NewDisposeScope();
        using var cond = model.EncodeText(Prompts());
        var padded = cond.AttentionMask.eq(0);                              // (B, S)
        Assert.True(padded.any().item<bool>(), "the fixture prompts should include padding");
        Assert.Equal(0.0, cond.EncoderHiddenStates[padded].abs().max().item<float>());
        // ... while T5's own output there is not zero (the reference does not mask it).
        Assert.True(cond.LastHiddenState[padded].abs().max().item<float>() > 0);
    }

    [Fact]
    public void TiedEmbeddingIsOneTensorHoldingSharedWeight()
    {
        var t5 = TinyModel.Shared.Text.Encoder;
        Assert.Same(t5.Shared, t5.Stack.EmbedTokens);
        using var file = Smitin.IO.SafeTensorsFile.Open(Path.Combine(Fixture.Model(), "model.safetensors"));
        Assert.False(file.Contains("text_encoder.encoder.embed_tokens.weight")); // only shared.weight is stored
        using var stored = file.Read("text_encoder.shared.weight");
        TensorAssert.Close(stored, t5.Stack.EmbedTokens.weight!, 0, 0, "encoder.embed_tokens.weight");
    }
}
