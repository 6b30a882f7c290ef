using Smitin.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace Smitin.Generation;

/// <summary>
/// Picks the next token per row from processed scores, as audiocraft's <c>_sample_next_token</c>: greedy = argmax;
/// otherwise softmax(scores / temperature), then nucleus sampling when top-p &gt; 0, else top-k when k &gt; 0, else
/// the full distribution, drawn with a seeded generator.
/// </summary>
public static class Sampler
{
    /// <param name="scores">(N, V) scores after guidance</param>
    /// <param name="step">decoder step (0-based) for error messages; -1 = not part of a generation loop</param>
    /// <returns>(N) int64 token ids</returns>
    /// <exception cref="SmitinException">the scores, or the probabilities after the temperature, are not finite (NaN / ±∞
    /// everywhere in a row): the message names the step and the option, instead of the native multinomial's abort</exception>
    /// <param name="options">top-k, top-p, temperature, greedy</param>
    /// <param name="generator">random generator (seeded), or null for torch's default</param>
    public static Tensor Next(Tensor scores, GenerationOptions options, Generator? generator, int step = -1)
    {
        using var scope = torch.NewDisposeScope();
        string where = step >= 0 ? $"decoder step {step + 1}" : "sampling";
        if (scores.isnan().any().item<bool>() || scores.isposinf().any().item<bool>())
            throw new SmitinException($"{where}: the scores contain NaN or +inf; nothing can be sampled from them");
        if (options.IsGreedy) return scores.argmax(-1).MoveToOuterDisposeScope();
        using var temperature = options.Temperature.ToScalar();                       // held (Scalars)
        var probs = scores.div(temperature).softmax(-1);                              // (N, V)
        if (!probs.isfinite().all().item<bool>())
            throw new SmitinException($"{where}: softmax(scores / temperature) is not finite in float32 (temperature = {OptionRange.Text(options.Temperature)}, " +
                "or a row of scores that is -inf everywhere): raise the temperature or use greedy decoding");
        Tensor next;
        if (options.TopP > 0) next = TopP(probs, options.TopP, generator);
        else if (options.TopK > 0 && options.TopK < probs.shape[1]) next = TopK(probs, options.TopK, generator);
        else next = torch.multinomial(probs, 1, false, generator).squeeze(-1);
        return next.MoveToOuterDisposeScope();
    }

    /// <summary>Samples among the k most likely tokens (renormalised).</summary>
    static Tensor TopK(Tensor probs, int k, Generator? generator)
    {
        var (values, indices) = probs.topk(k, -1);                                   // (N, k)
        var pick = torch.multinomial(values / values.sum(-1, keepdim: true), 1, false, generator); // (N, 1)
        return indices.gather(-1, pick).squeeze(-1);
    }

    /// <summary>Samples from the smallest set of most likely tokens whose mass reaches p (the first token always stays).</summary>
    static Tensor TopP(Tensor probs, double p, Generator? generator)
    {
        var (sorted, indices) = probs.sort(-1, descending: true);                    // (N, V)
        var before = sorted.cumsum(-1) - sorted;                                      // mass of the better tokens
        using var mass = p.ToScalar();
        var kept = sorted.masked_fill(before.gt(mass), Scalars.Zero);
        var pick = torch.multinomial(kept / kept.sum(-1, keepdim: true), 1, false, generator); // (N, 1)
        return indices.gather(-1, pick).squeeze(-1);
    }
}
