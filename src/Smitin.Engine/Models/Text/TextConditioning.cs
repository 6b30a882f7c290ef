using static TorchSharp.torch;

namespace Smitin.Models.Text;

/// <summary>
/// A batch of prompts encoded for the decoder's cross-attention. All tensors live on the model's device; the
/// record owns them (dispose it, or let the enclosing dispose scope do so).
/// </summary>
/// <param name="InputIds">(B, S) int64 T5 token ids (<c>&lt;/s&gt;</c>-terminated, padded)</param>
/// <param name="AttentionMask">(B, S) int64, 1 = token, 0 = padding; also the decoder's cross-attention mask</param>
/// <param name="LastHiddenState">(B, S, Dt) T5 output after the final RMSNorm; NOT zero at padded positions</param>
/// <param name="EncoderHiddenStates">(B, S, D) <c>enc_to_dec_proj(LastHiddenState) * AttentionMask[..., None]</c>: exactly the
/// memory the reference feeds to the decoder cross-attention (zero at padded positions)</param>
/// <param name="HiddenStates">when requested: the reference's T5 <c>hidden_states</c>, num_layers + 1 tensors of (B, S, Dt)
/// (embeddings, each block's output but the last, then LastHiddenState)</param>
public sealed record TextConditioning(Tensor InputIds, Tensor AttentionMask, Tensor LastHiddenState, Tensor EncoderHiddenStates,
    IReadOnlyList<Tensor>? HiddenStates) : IDisposable
{
    /// <summary>Prompts B.</summary>
    public long BatchSize => InputIds.shape[0];
    /// <summary>Tokens S per prompt (padded).</summary>
    public long Length => InputIds.shape[1];

    /// <summary>Frees every tensor.</summary>
    public void Dispose()
    {
        InputIds.Dispose();
        AttentionMask.Dispose();
        LastHiddenState.Dispose();
        EncoderHiddenStates.Dispose();
        if (HiddenStates is not null) foreach (var h in HiddenStates) h.Dispose();
    }
}
