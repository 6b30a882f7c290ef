using Smitin.Models;
using Smitin.Models.Decoder;
using Smitin.Models.Text;
using Smitin.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace Smitin.Training;

/// <summary>
/// The <c>pairs</c> stage: after <see cref="LmTrainer"/>, fine-tunes the text conditioning and the decoder on the
/// matched pairs of the codes corpus (the same song's mix with and without one stem, e.g. "... with drums, ..." and
/// "...; no drums."), so that the words for a present or absent stem decide what the first frames become.
/// <para>
/// Why: with next-token cross-entropy alone the decoder reads a stem's presence from the audio context after a few
/// frames, so the text changes the held-out cross-entropy by only 0.02–0.04 nats and "no drums" (which contains the
/// word "drums") still pulls towards drums under guidance (models/smitin-synth-small/README.md, "Text
/// conditioning"). Generation from text alone decides at its first frames, where a window's start has no audio
/// context either.
/// </para>
/// <para>
/// Loss per step, for P pairs (A with the stem, Ā without it, the same window offset, descriptions d and d̄):
/// the ordinary cross-entropy of (A, d), (Ā, d̄) and one unconditional row per pair (classifier-free guidance needs
/// the unconditional model kept), plus <c>PairWeight</c> × the matched-text classification loss
/// <c>softplus(−Δ)</c> with Δ_A = NLL(A | d̄) − NLL(A | d) and Δ_Ā = NLL(Ā | d) − NLL(Ā | d̄), each NLL summed over
/// the window's first <c>PairFrames</c> positions: the log-likelihood ratio by which the text tells the two mixes
/// apart at the start, where generation from text alone must use it. This is our choice (a discriminative
/// text-audio term on matched pairs), not MusicGen's recipe (audiocraft trains cross-entropy only).
/// </para>
/// Resumable like <see cref="LmTrainer"/>; AdamW, warm-up then cosine decay from <c>PairLearningRate</c>.
/// </summary>
public static class MatchedPairTuner
{
    /// <summary>A matched pair of the codes corpus: indices of the mix with the stem and of the mix without it.</summary>
    public sealed record Pair(int With, int Without, string Stem);

    /// <summary>
    /// Every matched pair: two mixes of one song whose stems differ by exactly one stem of <paramref name="stems"/>.
    /// </summary>
    public static IReadOnlyList<Pair> Pairs(CodesCorpus corpus, IReadOnlyCollection<string> stems)
    {
        var pairs = new List<Pair>();
        foreach (var song in corpus.Items.Select((item, i) => (item, i)).GroupBy(x => x.item.Song))
        {
            var mixes = song.ToList();
            foreach (var a in mixes)
                foreach (var b in mixes)
                {
                    if (a.item.Stems.Length != b.item.Stems.Length + 1) continue;
                    var extra = a.item.Stems.Except(b.item.Stems).ToList();
                    if (extra.Count == 1 && stems.Contains(extra[0]) && b.item.Stems.All(a.item.Stems.Contains))
                        pairs.Add(new Pair(a.i, b.i, extra[0]));
                }
        }
        return pairs;
    }

    /// <summary>Runs the stage (skipped when <c>PairSteps</c> is 0 or its checkpoint is complete).</summary>
    /// <exception cref="SmitinException">the corpus has no matched pair of <c>PairStems</c>.</exception>
    public static void Run(SynthModelConfig cfg, MusicGenConfig model, T5Tokenizer tokenizer, CodesCorpus corpus,
        TextConditioner text, MusicGenLm lm, string dir, IProgress<string>? progress, CancellationToken cancel)
    {
        if (cfg.PairSteps == 0) return;
        var pairs = Pairs(corpus, cfg.PairStems);
        if (pairs.Count == 0)
            throw new SmitinException($"pairs: the codes corpus has no matched pair for {string.Join(", ", cfg.PairStems)} (PairStems)");
        progress?.Report($"pairs: {pairs.Count} matched pairs ({string.Join(", ", cfg.PairStems)})");
        int window = (int)Math.Round(cfg.LmWindowSeconds * cfg.FrameRate);
        LmTrainer.RunStage(cfg, "pairs", dir, cfg.PairSteps, cfg.PairLearningRate, Math.Max(1, cfg.PairSteps / 10), cfg.Seed + 2,
            ["loss", "ce", "contrast", "margin", "accuracy"], text, lm, (step, rng) =>
            {
                var (loss, ce, contrast, margin, accuracy) = Loss(cfg, corpus, tokenizer, model.Decoder, text, lm, pairs, rng, window);
                return (loss, () => [loss.item<float>(), ce.item<float>(), contrast.item<float>(), margin.item<float>(), accuracy.item<float>()]);
            }, progress, cancel);
    }

    /// <summary>
    /// One step's loss on P = <c>PairBatch</c> random pairs: rows (A, d), (A, d̄), (Ā, d), (Ā, d̄) and one
    /// unconditional row per pair (A or Ā at random). Returns the total, the cross-entropy part, the contrast part,
    /// the mean Δ (nats) and the share of Δ &gt; 0, all scalars.
    /// </summary>
    internal static (Tensor Loss, Tensor Ce, Tensor Contrast, Tensor Margin, Tensor Accuracy) Loss(SynthModelConfig cfg,
        CodesCorpus corpus, T5Tokenizer tokenizer, DecoderConfig dec, TextConditioner text, MusicGenLm lm,
        IReadOnlyList<Pair> pairs, Random rng, int window)
    {
        int p = cfg.PairBatch, k = dec.NumCodebooks, rows = 5 * p;
        var codes = new long[rows * k * window];
        var texts = new string[rows];
        var conditioned = new long[rows];
        void Put(int row, CodesCorpus.Item item, int offset, string description, bool cond)
        {
            for (int c = 0; c < k; c++)
                for (int f = 0; f < window; f++) codes[(row * k + c) * window + f] = item.At(c, Math.Min(offset + f, item.Frames - 1));
            texts[row] = description;
            conditioned[row] = cond ? 1 : 0;
        }
        for (int i = 0; i < p; i++)
        {
            var pair = pairs[rng.Next(pairs.Count)];
            CodesCorpus.Item a = corpus.Items[pair.With], b = corpus.Items[pair.Without];
            int offset = rng.Next(Math.Max(1, Math.Min(a.Frames, b.Frames) - window + 1));
            Put(i, a, offset, a.Description, true);                  // (A, d)
            Put(p + i, a, offset, b.Description, true);              // (A, d̄)
            Put(2 * p + i, b, offset, a.Description, true);          // (Ā, d)
            Put(3 * p + i, b, offset, b.Description, true);          // (Ā, d̄)
            var u = rng.Next(2) == 0 ? a : b;
            Put(4 * p + i, u, offset, u.Description, false);         // unconditional
        }
        var (input, target) = LmTrainer.DelayedPair(tensor(codes, [rows, k, window]), dec);    // (5P, K, W+K-1) each
        var tokens = tokenizer.EncodeBatch(texts);
        var mask = tensor(tokens.AttentionMask) * tensor(conditioned).unsqueeze(1);             // (5P, S)
        var (nll, valid) = LmTrainer.TokenNll(text, lm, input, target, tensor(tokens.InputIds), mask); // (5P, K, T)

        // Cross-entropy of the true rows (A, d), (Ā, d̄) and the unconditional ones, per codebook then averaged.
        var trueRows = tensor(Enumerable.Range(0, p).Concat(Enumerable.Range(3 * p, 2 * p)).Select(i => (long)i).ToArray());
        var nllTrue = nll.index_select(0, trueRows);
        var validTrue = valid.index_select(0, trueRows);
        var ce = (nllTrue.sum([0, 2]) / validTrue.sum([0, 2]).clamp_min(Scalars.One)).mean();

        // Δ on the first PairFrames positions: how much better the right description explains the start.
        int early = Math.Min(cfg.PairFrames, (int)nll.shape[2]);
        var start = nll.narrow(2, 0, early).sum([1, 2]);                                       // (5P)
        var delta = cat([start.narrow(0, p, p) - start.narrow(0, 0, p),                        // NLL(A|d̄) − NLL(A|d)
                         start.narrow(0, 2 * p, p) - start.narrow(0, 3 * p, p)]);             // NLL(Ā|d) − NLL(Ā|d̄)
        var contrast = Scalars.Softplus(-delta).mean();
        using var pairWeight = cfg.PairWeight.ToScalar();                                       // held (Scalars)
        var loss = ce.add(contrast.mul(pairWeight), Scalars.One);
        return (loss, ce.detach(), contrast.detach(), delta.detach().mean(), delta.detach().gt(Scalars.Zero).to(ScalarType.Float32).mean());
    }
}
