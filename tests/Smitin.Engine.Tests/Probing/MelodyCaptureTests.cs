using Smitin.Models.Decoder;
using Smitin.Probing;
using Smitin.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Smitin.Tests.Probing;

/// <summary>
/// Probing a MusicGen Melody model "without text": the capture feeds the reference's unconditional row for this
/// architecture (null chroma ×chroma_length + one zero text row, = the unconditional half of the reference's
/// melody-only guided generation, <c>gen.melody.cfg3.encoder_hidden_states[1]</c>) before the codes.
/// </summary>
public class MelodyCaptureTests(MelodyFixture f) : IClassFixture<MelodyFixture>
{
    [Fact]
    public void CaptureWithoutTextUsesTheReferenceUnconditionalPrefix()
    {
        using var scope = torch.NewDisposeScope();
        var codes = f.Ref("lm.codes");                                                         // (2, K, 12)
        var capture = new ActivationCapture(f.Model, CaptureOptions.Uncached);
        using var z = capture.CaptureCodes(codes);                                              // (2, L, H, Dh)

        var uncond = f.Ref("gen.melody.cfg3.encoder_hidden_states").narrow(0, 1, 1);           // (1, 33, D): the reference's unconditional row
        Assert.Equal(0f, uncond.narrow(1, 32, 1).abs().max().item<float>());                    // its text row is all zero
        int start = f.Model.Config.DecoderStartTokenId, kc = f.Model.Config.Decoder.NumCodebooks;
        var ids = DelayPattern.WithStartToken(codes, start);
        var (_, pattern) = DelayPattern.Build(ids, start, (int)codes.shape[2] + kc, 1);
        var expected = new Tensor[f.Model.Config.Decoder.NumHiddenLayers];
        using (f.Model.Decoder.AddHeadHook((l, zl) => { expected[l] = zl.select(1, zl.shape[1] - 1).clone().DetachFromDisposeScope(); return null; }))
            f.Model.Decoder.Forward(pattern, prefix: uncond.expand(2, -1, -1));
        using var reference = torch.stack(expected, 1);
        foreach (var t in expected) t.Dispose();
        TensorAssert.Close(reference, z, atol: 1e-6, rtol: 1e-6, what: "capture without text = reference unconditional prefix");

        // without any prefix the activations differ: the conditioning rows are part of the definition
        var none = new Tensor[f.Model.Config.Decoder.NumHiddenLayers];
        using (f.Model.Decoder.AddHeadHook((l, zl) => { none[l] = zl.select(1, zl.shape[1] - 1).clone().DetachFromDisposeScope(); return null; }))
            f.Model.Decoder.Forward(pattern);
        using var bare = torch.stack(none, 1);
        foreach (var t in none) t.Dispose();
        Assert.True((bare - z).abs().max().item<float>() > 1e-3);
    }
}
