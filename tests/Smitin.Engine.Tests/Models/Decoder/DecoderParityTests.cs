using Smitin.Models.Decoder;
using Smitin.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Smitin.Tests.Models.Decoder;

/// <summary>Teacher-forced decoder against the reference: logits, hidden states, per-head attention outputs (atol 1e-4 + rtol 1e-4, fixture README).</summary>
public class DecoderParityTests(DecoderFixture f) : IClassFixture<DecoderFixture>
{
    [Fact]
    public void LogitsAndHiddenStatesMatch()
    {
        using var scope = torch.NewDisposeScope();
        var hidden = new List<Tensor>();
        var logits = f.Lm.Forward(f.Ref("lm.input_ids"), f.Ref("lm.encoder_hidden_states"), f.Ref("lm.text_attention_mask"), hiddenStates: hidden);
        TensorAssert.Close(f.Ref("lm.logits"), logits, what: "lm.logits");
        Assert.Equal(f.Config.Decoder.NumHiddenLayers + 1, hidden.Count);
        for (int i = 0; i < hidden.Count; i++)
            TensorAssert.Close(f.Ref($"lm.hidden_states.{i}"), hidden[i], what: $"lm.hidden_states.{i}");
    }

    [Fact]
    public void PerHeadSelfAndCrossAttentionOutputsMatchThroughTheHookPoints()
    {
        using var scope = torch.NewDisposeScope();
        int layers = f.Config.Decoder.NumHiddenLayers;
        var self = new Tensor?[layers];
        var cross = new Tensor?[layers];
        // z lives until the forward's dispose scope ends: a capture must detach its copy (and dispose it)
        using (f.Lm.AddHeadHook((l, z) => { self[l] = z.clone().DetachFromDisposeScope(); return null; }))
        using (f.Lm.AddCrossHeadHook((l, z, _) => { cross[l] = z.clone().DetachFromDisposeScope(); return null; }))
            f.Lm.Forward(f.Ref("lm.input_ids"), f.Ref("lm.encoder_hidden_states"), f.Ref("lm.text_attention_mask"));
        for (int l = 0; l < layers; l++)
        {
            using var s = self[l]!;
            using var c = cross[l]!;
            TensorAssert.Close(f.Ref($"lm.layer{l}.self_attn_heads"), self[l]!, what: $"lm.layer{l}.self_attn_heads");
            TensorAssert.Close(f.Ref($"lm.layer{l}.cross_attn_heads"), cross[l]!, what: $"lm.layer{l}.cross_attn_heads");
        }
    }

    [Fact]
    public void HooksAreRemovedWhenTheHandleIsDisposed()
    {
        using var scope = torch.NewDisposeScope();
        int calls = 0;
        var handle = f.Lm.AddHeadHook((_, _) => { calls++; return null; });
        f.Lm.Forward(f.Ref("lm.input_ids"), f.Ref("lm.encoder_hidden_states"), f.Ref("lm.text_attention_mask"));
        Assert.Equal(f.Config.Decoder.NumHiddenLayers, calls);
        Assert.True(f.Lm.HeadHookPoint(0).HasHooks);
        handle.Dispose();
        f.Lm.Forward(f.Ref("lm.input_ids"), f.Ref("lm.encoder_hidden_states"), f.Ref("lm.text_attention_mask"));
        Assert.Equal(f.Config.Decoder.NumHiddenLayers, calls);
        Assert.False(f.Lm.HeadHookPoint(0).HasHooks);
    }

    [Fact]
    public void PositionTableIsTheSinusoidalFormula()
    {
        using var scope = torch.NewDisposeScope();
        var d = f.Config.Decoder;
        TensorAssert.Close(f.Lm.Stack.embed_positions.weights, SinusoidalPositions.Table(d.MaxPositionEmbeddings, d.HiddenSize), atol: 1e-5, rtol: 1e-5, what: "embed_positions");
    }

    [Fact]
    public void BadInputsAreNamedErrors()
    {
        using var scope = torch.NewDisposeScope();
        var d = f.Config.Decoder;
        var e = Assert.Throws<SmitinException>(() => f.Lm.Forward(torch.zeros(1, d.NumCodebooks + 1, 3, ScalarType.Int64)));
        Assert.Contains("expected (B, " + d.NumCodebooks, e.Message);
        e = Assert.Throws<SmitinException>(() => f.Lm.Forward(torch.full(1, d.NumCodebooks, 3, (long)d.VocabSize + 1, ScalarType.Int64)));
        Assert.Contains("ids must be in", e.Message);
        e = Assert.Throws<SmitinException>(() => f.Lm.Forward(torch.zeros(2, d.NumCodebooks, 3, ScalarType.Int64), torch.zeros(1, 5, d.HiddenSize)));
        Assert.Contains("decoder memory", e.Message);
        e = Assert.Throws<SmitinException>(() => f.Lm.Forward(torch.zeros(1, d.NumCodebooks, d.MaxPositionEmbeddings + 1, ScalarType.Int64)));
        Assert.Contains("max_position_embeddings", e.Message);
    }
}
