using System.Text;
using System.Text.Json;
using Smitin.IO;
using Smitin.Models;
using Smitin.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace Smitin.Training;

/// <summary>
/// Held-out figures of a trained model, computed through the engine's inference code (<see cref="MusicGen.Load"/>):
/// <list type="bullet">
/// <item>codec: multi-scale log-mel L1 (the training loss's measure) and SI-SNR of encode → decode, on held-out
/// songs' full mixes with drums and their matched mixes without drums;</item>
/// <item>LM: teacher-forced cross-entropy per codebook (nats) on 5 s windows of held-out mixes, unconditional (no
/// text, as probing) and with each mix's description, against a unigram baseline fitted on the training codes.</item>
/// </list>
/// </summary>
public static class TrainingReport
{
    public sealed record CodecFigures(string Group, int Clips, double LogMelL1, double SiSnrDb);
    public sealed record LmFigures(int Windows, double[] Unconditional, double[] Conditional, double[] Unigram);

    public static IReadOnlyList<CodecFigures> Codec(MusicGen model, SongCorpus heldOut, IProgress<string>? progress)
    {
        using var mel = new MultiScaleMelLoss(model.SampleRate);
        var groups = new Dictionary<string, List<(double Mel, double Snr)>> { ["with drums"] = [], ["without drums"] = [] };
        foreach (var song in heldOut.Songs.Where(s => s.Stems.ContainsKey(Data.Synth.SynthStems.Drums) && s.Stems.Count > 1))
        {
            foreach (var (group, stems) in new[] { ("with drums", song.Stems.Keys.ToArray()), ("without drums", song.Stems.Keys.Where(k => k != "drums").ToArray()) })
            {
                using var scope = NewDisposeScope();
                var x = tensor(SongCorpus.Mix(song, stems), [1, 1, song.Frames]);
                var y = model.Codec.Decode(model.Codec.Encode(x)).narrow(2, 0, song.Frames);
                groups[group].Add((mel.Compute(y, x).item<float>(), SiSnr(y.flatten(), x.flatten())));
            }
        }
        progress?.Report($"report: codec figures on {groups["with drums"].Count} held-out matched pairs");
        return groups.Select(g => new CodecFigures(g.Key, g.Value.Count, g.Value.Average(v => v.Mel), g.Value.Average(v => v.Snr))).ToList();
    }

    /// <summary>Scale-invariant SNR in dB of an estimate against a reference (both zero-meaned).</summary>
    public static double SiSnr(Tensor estimate, Tensor reference)
    {
        using var scope = NewDisposeScope();
        var s = reference - reference.mean(); var e = estimate - estimate.mean();
        using var tiny = 1e-12.ToScalar();                                    // held (Scalars)
        var target = (e * s).sum() / s.pow(Scalars.Two).sum().add(tiny, Scalars.One) * s;
        var noise = e - target;
        return 10 * Math.Log10((target.pow(Scalars.Two).sum().item<float>() + 1e-12) / (noise.pow(Scalars.Two).sum().item<float>() + 1e-12));
    }

    public static LmFigures Lm(MusicGen model, SongCorpus heldOut, CodesCorpus training, int window, int seed, IProgress<string>? progress)
    {
        var dec = model.Config.Decoder;
        int k = dec.NumCodebooks, v = dec.VocabSize;
        // unigram baseline from the training codes (add-one smoothing)
        var counts = new double[k, v];
        foreach (var item in training.Items)
            for (int c = 0; c < k; c++) for (int f = 0; f < item.Frames; f++) counts[c, item.At(c, f)]++;
        var sums = new double[k, 3]; // unconditional, conditional, unigram
        long[] tokens = new long[k];
        int windows = 0;
        foreach (var (song, index) in heldOut.Songs.Select((s, i) => (s, i)))
        {
            var variants = SongCorpus.TrainingVariants(song, new Random(seed * 7 + index));
            var mixes = variants.Select(vs => SongCorpus.Mix(song, vs)).ToList();
            var encoded = CodesCorpus.Encode(model.Codec, mixes);
            for (int i = 0; i < variants.Count; i++)
            {
                var (codes, _, frames) = encoded[i];
                for (int offset = 0; offset + window <= frames; offset += window)
                {
                    using var scope = NewDisposeScope();
                    var w = new long[k * window];
                    for (int c = 0; c < k; c++) for (int f = 0; f < window; f++) w[c * window + f] = codes[c * frames + offset + f];
                    var (input, target) = LmTrainer.DelayedPair(tensor(w, [1, k, window]), dec);
                    using var text = model.EncodeText([SongCorpus.Describe(song, variants[i])]);
                    using var padToken = dec.PadTokenId.ToScalar();
                    var valid = target.ne(padToken);
                    var safe = where(valid, target, zeros_like(target));
                    for (int mode = 0; mode < 2; mode++)
                    {
                        var logits = mode == 0 ? model.Decoder.Forward(input) : model.Decoder.Forward(input, text.EncoderHiddenStates, text.AttentionMask);
                        var nll = -logits.log_softmax(-1).gather(-1, safe.unsqueeze(-1)).squeeze(-1);   // (1, K, T)
                        for (int c = 0; c < k; c++)
                            sums[c, mode] += nll.select(1, c).masked_select(valid.select(1, c)).sum().item<float>();
                    }
                    for (int c = 0; c < k; c++)
                    {
                        double total = 0; for (int j = 0; j < v; j++) total += counts[c, j] + 1;
                        for (int f = 0; f < window; f++) sums[c, 2] -= Math.Log((counts[c, w[c * window + f]] + 1) / total);
                        tokens[c] += window;
                    }
                    windows++;
                }
            }
        }
        progress?.Report($"report: LM cross-entropy on {windows} held-out windows of {window} frames");
        double[] Col(int m) => Enumerable.Range(0, k).Select(c => sums[c, m] / tokens[c]).ToArray();
        return new LmFigures(windows, Col(0), Col(1), Col(2));
    }

    public static string Markdown(IReadOnlyList<CodecFigures> codec, LmFigures lm, TextConditioningCheck.Result? text = null)
    {
        var sb = new StringBuilder();
        sb.AppendLine("| codec, held-out | clips | log-mel L1 (4-scale mean) | SI-SNR (dB) |").AppendLine("|---|---|---|---|");
        foreach (var c in codec) sb.AppendLine($"| {c.Group} | {c.Clips} | {c.LogMelL1:F3} | {c.SiSnrDb:F1} |");
        sb.AppendLine();
        sb.AppendLine($"| LM cross-entropy (nats), {lm.Windows} held-out windows | " + string.Join(" | ", lm.Unigram.Select((_, c) => $"cb{c}")) + " |");
        sb.AppendLine("|---|" + string.Concat(lm.Unigram.Select(_ => "---|")));
        sb.AppendLine("| unconditional (no text) | " + string.Join(" | ", lm.Unconditional.Select(x => x.ToString("F3"))) + " |");
        sb.AppendLine("| with the mix's description | " + string.Join(" | ", lm.Conditional.Select(x => x.ToString("F3"))) + " |");
        sb.AppendLine("| unigram baseline (training codes) | " + string.Join(" | ", lm.Unigram.Select(x => x.ToString("F3"))) + " |");
        if (text is not null)
        {
            sb.AppendLine();
            sb.AppendLine($"| text alone, {text.Seconds} s clips, guidance {text.Guidance}, seed {text.Seed}, {text.Songs} songs × {text.ClipsPerText}, judged by judge-{text.Trait} | n | {text.Trait} found | 95 % CI |").AppendLine("|---|---|---|---|");
            sb.AppendLine($"| descriptions with {text.Trait} | {text.N} | {text.RateWith:P0} | [{text.CiWith[0]:P0}, {text.CiWith[1]:P0}] |");
            sb.AppendLine($"| the same descriptions, \"no {text.Trait}\" | {text.N} | {text.RateWithout:P0} | [{text.CiWithout[0]:P0}, {text.CiWithout[1]:P0}] |");
            sb.AppendLine($"| difference | | {text.Difference * 100:F0} points | |");
        }
        return sb.ToString();
    }

    public static void Write(string path, IReadOnlyList<CodecFigures> codec, LmFigures lm, TextConditioningCheck.Result? text = null) =>
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(new { codec, lm, text_conditioning = text }, SynthModelConfig.Json));
}
