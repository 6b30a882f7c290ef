using Smitin.Models;
using Smitin.Models.Decoder;
using Smitin.Tests.Support;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Smitin.Tests.Models.Melody;

/// <summary>
/// MusicGen Melody loaded through the public loader, against the fixture's reference: tokenizer, T5, the conditioning
/// prefix (chroma first, then text; text-only and melody-only defaults), teacher-forced logits over the whole
/// sequence, hidden states and per-head self-attention outputs (atol 1e-4 + rtol 1e-4, fixture README).
/// </summary>
public class MelodyParityTests(MelodyFixture f, ITestOutputHelper output) : IClassFixture<MelodyFixture>
{
    MusicGen M => f.Model;

    [Fact]
    public void LoadsAsMelodyWithTheSharedDecoderAndSizesFromTheConfig()
    {
        Assert.True(M.IsMelody);
        Assert.Equal("musicgen_melody", M.Config.ModelType);
        Assert.Equal((12, 32), (M.Config.Melody!.NumChroma, M.Config.Melody.ChromaLength));
        Assert.IsType<MusicGenLm>(M.Decoder);                                               // the same decoder class as plain MusicGen
        Assert.False(M.Config.Decoder.HasCrossAttention);
        Assert.All(M.Decoder.Layers, l => Assert.Null(l.encoder_attn));
        Assert.DoesNotContain(M.Decoder.state_dict().Keys, k => k.Contains("encoder_attn"));
        var e = Assert.Throws<SmitinException>(() => M.Decoder.AddCrossHeadHook((_, _, _) => null));
        Assert.Contains("no cross-attention", e.Message);
        Assert.False(TinyModel.Shared.IsMelody);
        e = Assert.Throws<SmitinException>(() => TinyModel.Shared.Chroma);
        Assert.Contains("musicgen_melody", e.Message);
    }

    [Fact]
    public void TokenizerAndT5Match()
    {
        using var scope = torch.NewDisposeScope();
        using var text = M.EncodeText(f.Prompts(), outputHiddenStates: true);
        TensorAssert.Equal(f.Ref("tokenizer.input_ids"), text.InputIds, "tokenizer.input_ids");
        TensorAssert.Equal(f.Ref("tokenizer.attention_mask"), text.AttentionMask, "tokenizer.attention_mask");
        for (int i = 0; i < text.HiddenStates!.Count; i++) Close($"t5.hidden_states.{i}", text.HiddenStates[i]);
        Close("t5.last_hidden_state", text.LastHiddenState);
        using (torch.no_grad()) Close("t5.projected", M.Text.Project(text.LastHiddenState));
        Close("t5.text_hidden_states", text.EncoderHiddenStates);
    }

    [Fact]
    public void ConditioningPrefixMatches()
    {
        using var scope = torch.NewDisposeScope();
        using var text = M.EncodeText(f.Prompts()[..2]);
        TensorAssert.Equal(f.Ref("lm.text_input_ids"), text.InputIds, "lm.text_input_ids");
        Close("lm.encoder_last_hidden_state", text.LastHiddenState);
        Close("lm.text_hidden_states", text.EncoderHiddenStates);
        Close("lm.audio_hidden_states", M.Melody.ProjectChroma(f.Ref("lm.input_features")));   // 36 frames cut to 32
        var (prefix, _) = M.BuildMelodyPrefix(text, f.Ref("lm.input_features"));
        Close("lm.encoder_hidden_states", prefix);
        var (textOnly, _) = M.BuildMelodyPrefix(text, null);
        Close("lm_text.encoder_hidden_states", textOnly);
    }

    [Fact]
    public void TeacherForcedLogitsHiddenStatesAndHeadsMatch()
    {
        using var scope = torch.NewDisposeScope();
        var lm = M.Decoder;
        int layers = M.Config.Decoder.NumHiddenLayers;
        var heads = new Tensor?[layers];
        var hidden = new List<Tensor>();
        Tensor logits;
        using (lm.AddHeadHook((l, z) => { heads[l] = z.clone().DetachFromDisposeScope(); return null; }))
            logits = lm.Forward(f.Ref("lm.input_ids"), hiddenStates: hidden, prefix: f.Ref("lm.encoder_hidden_states"));
        Close("lm.logits", logits);                                                            // (B, K, P + L, V): prefix positions too
        Assert.Equal(layers + 1, hidden.Count);
        for (int i = 0; i < hidden.Count; i++) Close($"lm.hidden_states.{i}", hidden[i]);
        for (int l = 0; l < layers; l++)
        {
            using var z = heads[l]!;
            Close($"lm.layer{l}.self_attn_heads", z);
        }
        Close("lm_text.logits", lm.Forward(f.Ref("lm.input_ids"), prefix: f.Ref("lm_text.encoder_hidden_states")));
    }

    [Fact]
    public void WholeModelPathFromTextAndChromaGivesTheReferenceLogits()
    {
        using var scope = torch.NewDisposeScope();
        using var text = M.EncodeText(f.Prompts()[..2]);
        using var chroma = M.Chroma.Extract([f.Clip("chroma.a.waveform", 32000), f.Clip("chroma.b.waveform", 32000)]);
        TensorAssert.Equal(f.Ref("lm.input_features"), chroma.OneHot, "lm.input_features");
        var (prefix, _) = M.BuildMelodyPrefix(text, chroma.OneHot);
        Close("lm.logits (T5 + chroma + decoder)", M.Decoder.Forward(f.Ref("lm.input_ids"), prefix: prefix), "lm.logits");
    }

    [Fact]
    public void ConditioningThatDoesNotFitTheArchitectureIsRefused()
    {
        using var scope = torch.NewDisposeScope();
        var ids = f.Ref("lm.input_ids");
        var e = Assert.Throws<SmitinException>(() => M.Decoder.Forward(ids, memory: torch.zeros(2, 3, 32)));
        Assert.Contains("no cross-attention", e.Message);
        e = Assert.Throws<SmitinException>(() => M.Decoder.Forward(ids, prefix: torch.zeros(2, 3, 31)));
        Assert.Contains("expected (2, P, 32)", e.Message);
        e = Assert.Throws<SmitinException>(() => M.Melody.ProjectChroma(torch.zeros(1, 5, 11)));
        Assert.Contains("num_chroma", e.Message);
        e = Assert.Throws<SmitinException>(() => TinyModel.Shared.Decoder.Forward(torch.zeros(new long[] { 1, 4, 1 }, ScalarType.Int64), prefix: torch.zeros(1, 2, 32)));
        Assert.Contains("cross-attention", e.Message);
    }

    void Close(string key, Tensor actual, string? reference = null)
    {
        using var expected = f.Ref(reference ?? key);
        using var d = (expected.to_type(ScalarType.Float64) - actual.to_type(ScalarType.Float64).cpu()).abs().max();
        output.WriteLine($"{key}: max |diff| {d.item<double>():E3}");
        TensorAssert.Close(expected, actual, 1e-4, 1e-4, key);
    }
}
