using Smitin.Models.Text;
using static TorchSharp.torch;

namespace Smitin.Training.Tests;

public class LmTrainerTests(TinyTraining run) : IClassFixture<TinyTraining>
{
    static CodesCorpus Corpus()
    {
        var rng = new Random(7);
        return CodesCorpus.FromItems(Enumerable.Range(0, 3).Select(i => new CodesCorpus.Item($"s{i}", ["drums", "piano"],
            $"An upbeat rock song {i} with drums and piano.", Enumerable.Range(0, 4 * 30).Select(_ => (short)rng.Next(32)).ToArray(), 30, 4)).ToList());
    }

    /// <summary>The tiny run's SentencePiece vocabulary and decoder config (what its LM stage batched with).</summary>
    (T5Tokenizer Tokenizer, Smitin.Models.DecoderConfig Decoder) TinyTokenizerAndDecoder()
    {
        Smitin.Native.TorchRuntime.Ensure();
        var tokenizer = T5Tokenizer.Load(Path.Combine(run.Work, "text"));
        return (tokenizer, TinyTraining.Config.ToMusicGenConfig(tokenizer.VocabSize).Decoder);
    }

    [Fact]
    public void Empty_text_rows_carry_the_end_of_sequence_token_alone_and_dropped_rows_stay_unconditional()
    {
        var (tokenizer, dec) = TinyTokenizerAndDecoder();
        using var scope = NewDisposeScope();
        var corpus = Corpus();
        var (_, _, ids, mask) = LmTrainer.Batch(corpus, tokenizer, dec, new Random(3), 400, 10, textDropout: 0.3, emptyText: 0.5);
        var eos = tokenizer.EncodeBatch([""]);                                    // what generation encodes for ""
        Assert.Equal(1, eos.Length);                                           // </s> alone
        int dropped = 0, empty = 0, described = 0;
        for (int b = 0; b < 400; b++)
        {
            var m = mask[b].data<long>().ToArray();
            var row = ids[b].data<long>().ToArray();
            if (m.All(x => x == 0)) { dropped++; continue; }
            if (m.Sum() == 1) { empty++; Assert.Equal(eos.InputIds[0, 0], row[0]); }
            else described++;
        }
        // shares 0.3 dropped, 0.7 · 0.5 empty: binomial counts out of 400 within 4.5 standard deviations
        Assert.InRange(dropped, 120 - 41, 120 + 41);
        Assert.InRange(empty, 140 - 43, 140 + 43);
        Assert.Equal(400, dropped + empty + described);
    }

    [Fact]
    public void Without_empty_text_a_batch_draws_what_it_drew_before_the_option_existed()
    {
        var (tokenizer, dec) = TinyTokenizerAndDecoder();
        using var scope = NewDisposeScope();
        var corpus = Corpus();
        var r0 = new Random(5);
        LmTrainer.Batch(corpus, tokenizer, dec, r0, 8, 10, 0.3, emptyText: 0);
        // the earlier runs' draws per row: item, offset, dropout; the committed model's batches depend on this order
        var replay = new Random(5);
        for (int b = 0; b < 8; b++) { replay.Next(corpus.Items.Count); replay.Next(30 - 10 + 1); replay.NextDouble(); }
        Assert.Equal(replay.Next(), r0.Next());
    }

    [Fact]
    public void Input_noise_corrupts_a_share_of_the_input_codes_and_leaves_targets_text_and_special_tokens_alone()
    {
        var (tokenizer, dec) = TinyTokenizerAndDecoder();
        using var scope = NewDisposeScope();
        var corpus = Corpus();
        var (cleanIn, cleanTarget, cleanIds, cleanMask) = LmTrainer.Batch(corpus, tokenizer, dec, new Random(9), 200, 10, 0.3, 0.15, inputNoise: 0);
        var (noisyIn, noisyTarget, noisyIds, noisyMask) = LmTrainer.Batch(corpus, tokenizer, dec, new Random(9), 200, 10, 0.3, 0.15, inputNoise: 0.2);
        // the rows (items, offsets, text) are drawn before the noise: the same batch, only the input differs
        Assert.Equal(cleanTarget.data<long>().ToArray(), noisyTarget.data<long>().ToArray());
        Assert.Equal(cleanIds.data<long>().ToArray(), noisyIds.data<long>().ToArray());
        Assert.Equal(cleanMask.data<long>().ToArray(), noisyMask.data<long>().ToArray());
        var a = cleanIn.data<long>().ToArray();
        var b = noisyIn.data<long>().ToArray();
        int codes = 0, changed = 0;
        for (int i = 0; i < a.Length; i++)
        {
            if (a[i] >= dec.VocabSize) { Assert.Equal(a[i], b[i]); continue; }   // start and delay-pad tokens stay
            Assert.InRange(b[i], 0, dec.VocabSize - 1);
            codes++;
            if (a[i] != b[i]) changed++;
        }
        // each code is replaced with probability 0.2 by a uniform code (equal to the old one with probability 1/V):
        // binomial count within 4.5 standard deviations
        double p = 0.2 * (1 - 1.0 / dec.VocabSize), mean = codes * p, sd = Math.Sqrt(codes * p * (1 - p));
        Assert.InRange(changed, mean - 4.5 * sd, mean + 4.5 * sd);
    }

    [Theory]
    [InlineData("""{"InputNoise": -0.1}""")]
    [InlineData("""{"InputNoise": 1}""")]
    public void An_input_noise_outside_zero_to_one_is_refused_by_name(string json)
    {
        using var dir = new TempDir();
        string path = dir["cfg.json"];
        File.WriteAllText(path, json);
        var e = Assert.Throws<SmitinException>(() => SynthModelConfig.FromFile(path).Validate());
        Assert.Contains("InputNoise", e.Message, StringComparison.Ordinal);
    }
}
