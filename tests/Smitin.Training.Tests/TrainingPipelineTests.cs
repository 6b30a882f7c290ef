using System.Globalization;
using Smitin.IO;
using Smitin.Models;
using Smitin.Generation;
using static TorchSharp.torch;

namespace Smitin.Training.Tests;

public class TrainingPipelineTests(TinyTraining run) : IClassFixture<TinyTraining>
{
    static double[] Column(string csv, string name)
    {
        var lines = File.ReadAllLines(csv);
        int col = Array.IndexOf(lines[0].Split(','), name);
        Assert.True(col > 0, $"{csv}: no column {name}");
        return lines.Skip(1).Select(l => double.Parse(l.Split(',')[col], CultureInfo.InvariantCulture)).ToArray();
    }

    [Fact]
    public void Codec_and_lm_losses_fall()
    {
        var mel = Column(Path.Combine(run.Work, "codec", "curves.csv"), "mel");
        Assert.True(mel[^1] < 0.8 * mel[0], $"codec log-mel L1 went from {mel[0]} to {mel[^1]}");
        var lm = Column(Path.Combine(run.Work, "lm", "curves.csv"), "loss");
        // starts at about ln(32) = 3.47 nats (uniform over the codebook)
        Assert.InRange(lm[0], 3.0, 4.0);
        Assert.True(lm[^1] < lm[0] - 0.3, $"LM cross-entropy went from {lm[0]} to {lm[^1]}");
    }

    [Fact]
    public void Exported_model_loads_through_MusicGen_Load_with_the_trained_weights()
    {
        using var model = MusicGen.Load(run.Model, new MusicGenLoadOptions { Log = _ => { } });
        Assert.Equal(16000, model.SampleRate);
        Assert.Equal(TinyTraining.Config.CodebookSize, model.Config.Decoder.VocabSize);
        // the last LM stage is the matched-pair tuning: the export holds its weights, which differ from the LM stage's
        using var trained = SafeTensorsFile.Open(Path.Combine(run.Work, "pairs", "checkpoint", "state.safetensors"));
        using var beforePairs = SafeTensorsFile.Open(Path.Combine(run.Work, "lm", "checkpoint", "state.safetensors"));
        int moved = 0;
        int compared = 0;
        foreach (var (name, p) in model.Decoder.named_parameters())
        {
            using var expected = trained.Read("decoder." + name);
            Assert.True(expected.eq(p.cpu()).all().item<bool>(), $"decoder.{name} differs from the trained tensor");
            using var lmStage = beforePairs.Read("decoder." + name);
            if (!lmStage.eq(p.cpu()).all().item<bool>()) moved++;
            compared++;
        }
        foreach (var (name, p) in model.Text.named_parameters())
        {
            if (name.EndsWith("encoder.embed_tokens.weight", StringComparison.Ordinal)) continue; // tied to shared.weight
            using var expected = trained.Read(name);
            Assert.True(expected.eq(p.cpu()).all().item<bool>(), $"{name} differs from the trained tensor");
            compared++;
        }
        Assert.True(compared > 20);
        Assert.True(moved > 0, "the matched-pair stage left every decoder tensor as the LM stage wrote it");
        // codec: weight norm is exported as g/v and folded back by the loader; w = g·v/‖v‖ rounds within a few ulps
        // the encoder's last convolution also carries the folded latent standardisation: w/σ, (b − μ)/σ
        using var codec = SafeTensorsFile.Open(Path.Combine(run.Work, "codec", "checkpoint", "state.safetensors"));
        using var mu = codec.Read("latent.mean"); using var sigma = codec.Read("latent.std");
        string lastConv = codec.Keys.Where(k => k.StartsWith("encoder.", StringComparison.Ordinal) && k.EndsWith(".conv.weight", StringComparison.Ordinal))
            .OrderBy(k => int.Parse(k.Split('.')[2], CultureInfo.InvariantCulture)).Last()[..^"weight".Length];
        foreach (var (name, p) in model.Codec.Encoder.named_parameters().Select(x => ("encoder." + x.name, x.parameter))
                     .Concat(model.Codec.Decoder.named_parameters().Select(x => ("decoder." + x.name, x.parameter))))
        {
            using var raw = codec.Read(name);
            var expected = name == lastConv + "weight" ? raw / sigma.view(-1, 1, 1) : name == lastConv + "bias" ? (raw - mu) / sigma : raw;
            Assert.True(expected.allclose(p.cpu(), rtol: 1e-6, atol: 1e-7), $"codec {name} differs from the trained tensor");
        }
    }

    [Fact]
    public void Exported_encoder_outputs_standardised_latents_and_uses_many_codes()
    {
        // The exported encoder carries the folded standardisation recalibrated on the final weights: on the training
        // songs its latents have per-channel mean ≈ 0 and std ≈ 1 (the calibration sampled 0.5 s segments of the same
        // songs, so only sampling error separates the two estimates). The failure this guards against (running
        // averages lagging the raw latents' drift) put the means tens of standard deviations off and every frame on one code.
        using var model = MusicGen.Load(run.Model, new MusicGenLoadOptions { Log = _ => { } });
        var corpus = SongCorpus.Load(Path.Combine(run.Work, "songs"), 16000);
        var song = corpus.Songs[0];
        var audio = tensor(SongCorpus.Mix(song, song.Stems.Keys.ToArray()), [1, 1, song.Frames]);
        using var z = model.Codec.Embed(audio);                                          // (1, D, F)
        var mean = z.mean([0, 2]); var std = z.std([0, 2]);
        Assert.True(mean.abs().max().item<float>() < 0.5, $"latent channel means up to {mean.abs().max().item<float>()}");
        Assert.InRange(std.mean().item<float>(), 0.5, 2.0);
        using var codes = model.Codec.Encode(audio);                                     // (1, K, F)
        for (int k = 0; k < codes.shape[1]; k++)
        {
            long distinct = codes.select(1, k).unique().Item1.shape[0];
            Assert.True(distinct >= 4, $"codebook {k}: only {distinct} distinct codes over {codes.shape[2]} frames");
        }
    }

    [Fact]
    public void Exported_model_generates_from_text()
    {
        using var model = MusicGen.Load(run.Model, new MusicGenLoadOptions { Log = _ => { } });
        using var result = model.Generate(["a calm song with drums and piano"], new GenerationOptions { DurationSeconds = 0.5, Seed = 1 });
        Assert.Equal(16000, result.SampleRate);
        Assert.Equal(new long[] { 1, 1, 8000 }, result.Audio!.shape);
        Assert.True(result.Audio.isfinite().all().item<bool>());
    }
}
