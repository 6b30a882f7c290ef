using Smitin.Models.Decoder;
using Smitin.Models.Text;
using static TorchSharp.torch;

namespace Smitin.Training.Tests;

public class MatchedPairTunerTests(TinyTraining run) : IClassFixture<TinyTraining>
{
    static CodesCorpus.Item Item(string song, string[] stems, int frames, int seed)
    {
        var rng = new Random(seed);
        var codes = Enumerable.Range(0, 4 * frames).Select(_ => (short)rng.Next(TinyTraining.Config.CodebookSize)).ToArray();
        return new CodesCorpus.Item(song, stems, $"a song with {string.Join(", ", stems)}", codes, frames, 4);
    }

    [Fact]
    public void Pairs_are_mixes_of_one_song_that_differ_by_exactly_one_chosen_stem()
    {
        var corpus = CodesCorpus.FromItems(
        [
            Item("s1", ["drums", "bass", "piano"], 10, 1),  // 0
            Item("s1", ["bass", "piano"], 10, 2),           // 1: 0 without drums
            Item("s1", ["drums", "piano"], 10, 3),          // 2: 0 without bass
            Item("s1", ["piano"], 10, 4),                   // 3: 1 without bass, 2 without drums
            Item("s1", ["drums", "bass"], 10, 5),           // 4: 0 without piano (not a chosen stem)
            Item("s2", ["bass", "piano"], 10, 6),           // 5: another song: never paired with s1
        ]);
        var pairs = MatchedPairTuner.Pairs(corpus, ["drums", "bass"]).Select(p => (p.With, p.Without, p.Stem)).OrderBy(p => p).ToList();
        Assert.Equal([(0, 1, "drums"), (0, 2, "bass"), (1, 3, "bass"), (2, 3, "drums")], pairs);
        Assert.Empty(MatchedPairTuner.Pairs(corpus, ["guitar"]));
    }

    [Fact]
    public void Pair_margin_is_the_log_likelihood_ratio_of_the_right_description_over_the_window_start()
    {
        Smitin.Native.TorchRuntime.Ensure();
        var cfg = TinyTraining.Config with { PairBatch = 2, PairFrames = 12 };
        var tokenizer = T5Tokenizer.Load(Path.Combine(run.Work, "text"));
        var config = cfg.ToMusicGenConfig(tokenizer.VocabSize);
        using var text = new TextConditioner(config.TextEncoder, config.Decoder.HiddenSize);
        using var lm = new MusicGenLm(config.Decoder);
        LmTrainer.Initialise(text, lm, config.TextEncoder, 3);
        int window = 20;
        var a = Item("s1", ["drums", "piano"], window, 11);
        var b = Item("s1", ["piano"], window, 12);
        var corpus = CodesCorpus.FromItems([a, b]);
        var pairs = MatchedPairTuner.Pairs(corpus, ["drums"]);
        Assert.Single(pairs);
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        text.eval(); lm.eval();
        var (_, _, contrast, margin, accuracy) = MatchedPairTuner.Loss(cfg, corpus, tokenizer, config.Decoder, text, lm, pairs, new Random(1), window);

        // the same four sums, one row at a time
        double StartNll(CodesCorpus.Item audio, string description)
        {
            var codes = tensor(audio.Codes.Select(c => (long)c).ToArray(), [1, 4, window]);
            var (input, target) = LmTrainer.DelayedPair(codes, config.Decoder);
            var tokens = tokenizer.EncodeBatch([description]);
            var (nll, _) = LmTrainer.TokenNll(text, lm, input, target, tensor(tokens.InputIds), tensor(tokens.AttentionMask));
            return nll.narrow(2, 0, cfg.PairFrames).sum().item<float>();
        }
        double deltaA = StartNll(a, b.Description) - StartNll(a, a.Description);
        double deltaB = StartNll(b, a.Description) - StartNll(b, b.Description);
        static double Softplus(double x) => Math.Log(1 + Math.Exp(x));
        // float32 sums of 12 × 4 terms of a few nats each: agreement to 1e-3 nats leaves a wide margin over rounding
        Assert.Equal((deltaA + deltaB) / 2, margin.item<float>(), 1e-3);
        Assert.Equal((Softplus(-deltaA) + Softplus(-deltaB)) / 2, contrast.item<float>(), 1e-3);
        Assert.Equal(((deltaA > 0 ? 1 : 0) + (deltaB > 0 ? 1 : 0)) / 2.0, accuracy.item<float>(), 1e-6);
        Assert.NotEqual(0, deltaA); // the descriptions differ, so the text changes the start's likelihood
    }

    [Fact]
    public void Pair_stage_logs_its_curve_and_the_export_plots_it()
    {
        var csv = File.ReadAllLines(Path.Combine(run.Work, "pairs", "curves.csv"));
        Assert.Equal("step,loss,ce,contrast,margin,accuracy,lr", csv[0]);
        Assert.Equal(TinyTraining.Config.PairSteps - 1, int.Parse(csv[^1].Split(',')[0], System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(File.Exists(Path.Combine(run.Model, "pairs-curves.svg")));
    }

    [Theory]
    [InlineData("""{"PairSteps": -1}""", "PairSteps")]
    [InlineData("""{"PairBatch": 0}""", "PairBatch")]
    [InlineData("""{"PairWeight": -0.5}""", "PairWeight")]
    [InlineData("""{"PairStems": ["drums", "kazoo"]}""", "PairStems")]
    public void Bad_pair_settings_are_refused_by_name(string json, string field)
    {
        using var dir = new TempDir();
        string path = dir["cfg.json"];
        File.WriteAllText(path, json);
        var e = Assert.Throws<SmitinException>(() => SynthModelConfig.FromFile(path).Validate());
        Assert.Contains(field, e.Message, StringComparison.Ordinal);
    }
}
