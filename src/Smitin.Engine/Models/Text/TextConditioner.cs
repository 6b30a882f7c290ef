using Smitin.IO;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Smitin.Models.Text;

/// <summary>
/// MusicGen's text side: the T5 encoder (<c>text_encoder.*</c>) and <c>enc_to_dec_proj</c> (Linear Dt → D with
/// bias), which the reference creates only when the T5 width differs from the decoder's (every released MusicGen);
/// with equal widths the projection is the identity. The cross-attention memory is the projection multiplied by
/// the attention mask, so padded positions are exactly zero.
/// </summary>
public sealed class TextConditioner : nn.Module<Tensor, Tensor, Tensor>
{
    readonly T5Encoder text_encoder;
    readonly Linear? enc_to_dec_proj;

    /// <summary>The T5 encoder.</summary>
    public T5Encoder Encoder => text_encoder;
    /// <summary>Width D of the decoder the memory is projected to.</summary>
    public int DecoderHiddenSize { get; }

    /// <summary>T5 encoder plus <c>enc_to_dec_proj</c> (T5 width → <paramref name="decoderHiddenSize"/>), weights
    /// uninitialised.</summary>
    /// <exception cref="SmitinException">the text encoder configuration is invalid</exception>
    public TextConditioner(T5Config text, int decoderHiddenSize) : base(nameof(TextConditioner))
    {
        DecoderHiddenSize = decoderHiddenSize;
        text_encoder = new T5Encoder(text);
        if (text.DModel != decoderHiddenSize) enc_to_dec_proj = nn.Linear(text.DModel, decoderHiddenSize, hasBias: true);
        RegisterComponents();
    }

    /// <summary>Copies <c>text_encoder.*</c> and <c>enc_to_dec_proj.*</c> from the checkpoint (tied embedding re-tied).</summary>
    public void Load(Checkpoint ckpt)
    {
        var aliases = T5Encoder.TiedAliases.ToDictionary(kv => "text_encoder." + kv.Key, kv => "text_encoder." + kv.Value);
        WeightLoader.Load(this, ckpt, "", aliases);
    }

    /// <summary>Cross-attention memory (B, S, D) for <paramref name="inputIds"/> / <paramref name="attentionMask"/> (B, S).</summary>
    public override Tensor forward(Tensor inputIds, Tensor attentionMask)
    {
        using var scope = torch.NewDisposeScope();
        var last = text_encoder.call(inputIds, attentionMask);
        return Mask(Project(last), attentionMask).MoveToOuterDisposeScope();
    }

    /// <summary>Runs T5 and the projection; the result owns its tensors. Inputs are moved to the module's device.</summary>
    public TextConditioning Encode(Tensor inputIds, Tensor attentionMask, bool outputHiddenStates = false)
    {
        using var scope = torch.NewDisposeScope();
        var device = text_encoder.Shared.weight!.device;
        var ids = inputIds.to(device);
        var mask = attentionMask.to(ScalarType.Int64, device);
        var (last, hidden) = text_encoder.Encode(ids, mask, outputHiddenStates);
        var memory = Mask(Project(last), mask);
        var result = new TextConditioning(ids.alias(), mask.alias(), last, memory, hidden);
        result.InputIds.MoveToOuterDisposeScope();
        result.AttentionMask.MoveToOuterDisposeScope();
        last.MoveToOuterDisposeScope();
        memory.MoveToOuterDisposeScope();
        if (hidden is not null) foreach (var h in hidden) h.MoveToOuterDisposeScope();
        return result;
    }

    /// <summary><c>enc_to_dec_proj(h)</c> (B, S, D), or a fresh alias of <paramref name="lastHiddenState"/> when widths are equal.</summary>
    public Tensor Project(Tensor lastHiddenState) =>
        enc_to_dec_proj is not null ? enc_to_dec_proj.call(lastHiddenState) : lastHiddenState.alias();

    static Tensor Mask(Tensor projected, Tensor attentionMask) =>
        projected * attentionMask.to_type(projected.dtype).unsqueeze(-1); // (B, S, D) * (B, S, 1)
}
