using Smitin.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace Smitin.Models.Decoder;

/// <summary>
/// MusicGen's delay pattern, as the reference's <c>build_delay_pattern_mask</c> / <c>apply_delay_pattern_mask</c>.
/// Codebook k of a channel is shifted right by k; the first k+1 positions and the last (Kc-1-k) positions of its row
/// are forced to the pad/start token; -1 marks positions still to be generated. Kc = codebooks per channel: with
/// <c>audio_channels</c> 2 the codebooks are interleaved (even = left, odd = right) and both rows of a pair get
/// the same shift, i.e. the pattern applies per channel.
///
/// Example, 4 codebooks, prompt a..h, max length 8 (P = pad/start):
/// <code>
/// [P, a, b, -1, -1, P, P, P]
/// [P, P, c,  d, -1, -1, P, P]
/// [P, P, P,  e,  f, -1, -1, P]
/// [P, P, P,  P,  g,  h, -1, -1]
/// </code>
/// </summary>
public static class DelayPattern
{
    /// <summary>Codebooks per audio channel.</summary>
    public static int CodebooksPerChannel(int numCodebooks, int audioChannels) => audioChannels == 2 ? numCodebooks / 2 : numCodebooks;

    /// <summary>Shift of codebook row <paramref name="k"/>.</summary>
    public static int Delay(int k, int audioChannels) => audioChannels == 2 ? k / 2 : k;

    /// <summary>Smallest max length for which the reference applies the pattern at all (2 Kc - 1).</summary>
    public static int MinimumLength(int numCodebooks, int audioChannels) => 2 * CodebooksPerChannel(numCodebooks, audioChannels) - 1;

    /// <summary>
    /// Builds the pattern for undelayed ids (start token included), as <c>build_delay_pattern_mask(ids, pad, maxLength)</c>.
    /// </summary>
    /// <param name="ids">(B, K, S) undelayed ids, the first column being the start token</param>
    /// <param name="padTokenId">pad/start token (= vocab size)</param>
    /// <param name="maxLength">total length, S plus the tokens to generate</param>
    /// <param name="audioChannels">1 or 2</param>
    /// <returns><c>Prefix</c>: the delayed ids truncated at the first -1 of codebook 0 (B, K, P), what the decoder is fed
    /// first; <c>Pattern</c>: (B, K, maxLength), -1 = to be generated, otherwise the forced/known token</returns>
    public static (Tensor Prefix, Tensor Pattern) Build(Tensor ids, int padTokenId, int maxLength, int audioChannels)
    {
        if (ids.dim() != 3) throw new SmitinException($"delay pattern: ids must be (B, K, S), got [{string.Join(", ", ids.shape)}]");
        long b = ids.shape[0], k = ids.shape[1], s = ids.shape[2];
        int kc = CodebooksPerChannel((int)k, audioChannels);
        if (maxLength < MinimumLength((int)k, audioChannels) || maxLength < s + kc - 1)
            throw new SmitinException(
                $"delay pattern: max length {maxLength} is too short for {s} known positions and {kc} codebooks per channel " +
                $"(needs at least max({2 * kc - 1}, {s + kc - 1}))");

        using var scope = torch.NewDisposeScope();
        var shifted = torch.full(b, k, maxLength, Scalars.MinusOne, ScalarType.Int64, ids.device); // (B, K, maxLength)
        var forced = torch.zeros(k, maxLength, ScalarType.Bool);                          // (K, maxLength)
        for (int row = 0; row < k; row++)
        {
            int delay = Delay(row, audioChannels);
            shifted.select(1, row).narrow(1, delay, s).copy_(ids.select(1, row));
            forced[row].narrow(0, 0, delay + 1).fill_(Scalars.True);                        // start padding
            int endStart = delay + maxLength - kc + 1;                                        // end padding
            if (endStart < maxLength) forced[row].narrow(0, endStart, maxLength - endStart).fill_(Scalars.True);
        }
        var pattern = torch.where(forced.to(ids.device).unsqueeze(0), torch.tensor((long)padTokenId, device: ids.device), shifted);

        // the first position to generate is the first -1 of codebook 0 (it has no delay); none: the whole input
        var open = pattern.select(1, 0).eq(Scalars.MinusOne).any(0).nonzero();             // (n, 1)
        long first = open.shape[0] > 0 ? open[0, 0].item<long>() : s;
        var prefix = pattern.narrow(2, 0, first).contiguous();
        return (prefix.MoveToOuterDisposeScope(), pattern.MoveToOuterDisposeScope());
    }

    /// <summary>Keeps <paramref name="ids"/> where the pattern is -1, the pattern's token elsewhere (ids may be shorter than the pattern).</summary>
    /// <param name="ids">(B, K, L)</param>
    /// <param name="pattern">(B, K, maxLength), maxLength &gt;= L</param>
    public static Tensor Apply(Tensor ids, Tensor pattern)
    {
        using var scope = torch.NewDisposeScope();
        var p = pattern.narrow(2, 0, ids.shape[2]);
        return torch.where(p.eq(Scalars.MinusOne), ids, p).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Recovers the codes from a delayed sequence as the reference does: every element equal to the pad token is
    /// dropped and the rest reshaped to (B, K, frames). With a pattern applied each row holds L - Kc codes.
    /// </summary>
    /// <param name="delayed">(B, K, L) delayed ids, start column included</param>
    /// <param name="padTokenId">the pad token id (<c>decoder.pad_token_id</c>)</param>
    public static Tensor Revert(Tensor delayed, int padTokenId)
    {
        using var scope = torch.NewDisposeScope();
        long b = delayed.shape[0], k = delayed.shape[1];
        using var pad = padTokenId.ToScalar();
        var keep = delayed.ne(pad);
        var perRow = keep.sum(2).flatten();                                                  // (B*K)
        long lo = perRow.min().item<long>(), hi = perRow.max().item<long>();
        if (lo != hi)
            throw new SmitinException($"delay pattern: rows hold between {lo} and {hi} non-pad tokens; a delayed sequence must have the same number per row");
        return delayed.masked_select(keep).reshape(b, k, lo).MoveToOuterDisposeScope();
    }

    /// <summary>Frames [first, first + count) of a delayed sequence: codebook row k of frame f sits at column
    /// f + 1 + <see cref="Delay"/>(k) (column 0 is the start token).</summary>
    /// <param name="delayed">(B, K, L) delayed ids</param>
    /// <returns>(B, K, count) codes</returns>
    /// <param name="first">first frame</param>
    /// <param name="audioChannels">1 (mono) or 2 (stereo: left/right codebooks interleaved, delayed in pairs)</param>
    /// <param name="count">number of frames</param>
    public static Tensor Frames(Tensor delayed, int first, int count, int audioChannels)
    {
        using var scope = torch.NewDisposeScope();
        int k = (int)delayed.shape[1];
        var rows = Enumerable.Range(0, k).Select(row => delayed.select(1, row).narrow(1, first + 1 + Delay(row, audioChannels), count)).ToArray();
        return torch.stack(rows, 1).MoveToOuterDisposeScope();                               // (B, K, count)
    }

    /// <summary>Inverse of reverting for known codes: prepends the start token column, (B, K, F) → (B, K, F + 1).</summary>
    public static Tensor WithStartToken(Tensor codes, int startTokenId)
    {
        using var scope = torch.NewDisposeScope();
        using var startToken = ((long)startTokenId).ToScalar();
        var start = torch.full(codes.shape[0], codes.shape[1], 1, startToken, ScalarType.Int64, codes.device);
        return torch.cat([start, codes.to(ScalarType.Int64)], 2).MoveToOuterDisposeScope();
    }
}
