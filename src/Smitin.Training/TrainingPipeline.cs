using Smitin.Data.Synth;
using Smitin.IO;
using Smitin.Models;
using Smitin.Models.Codec;
using Smitin.Models.Decoder;
using Smitin.Models.Text;
using static TorchSharp.torch;

namespace Smitin.Training;

/// <summary>The stages of <see cref="TrainingPipeline.Run"/>; each is skipped when its output exists.</summary>
public enum TrainingStage { Data, Codec, Text, Lm, Pairs, Export, Report }

/// <summary>
/// The whole reproduction of the default model, in resumable stages under one work folder:
/// <list type="number">
/// <item><b>data</b>: <c>Songs</c> synthetic songs with stems at the codec's rate (seed <c>DataSeed</c>) → WORK/songs;</item>
/// <item><b>codec</b>: <see cref="CodecTrainer"/> → WORK/codec/export;</item>
/// <item><b>text</b>: the SentencePiece vocabulary on every training mix's description → WORK/text;</item>
/// <item><b>lm</b>: WORK/codec-model (the trained codec with the untrained LM, for judge calibration), the codes of every
/// training mix, then <see cref="LmTrainer"/> → WORK/lm;</item>
/// <item><b>pairs</b>: <see cref="MatchedPairTuner"/> fine-tunes text conditioning and decoder on matched pairs → WORK/pairs
/// (skipped when <c>PairSteps</c> is 0);</item>
/// <item><b>export</b>: the Hugging Face folder (<see cref="ModelExporter"/>) → OUT;</item>
/// <item><b>report</b>: held-out codec and LM figures (<see cref="TrainingReport"/>) on <c>HeldOutSongs</c> songs of seed
/// <c>HeldOutSeed</c> → OUT/training-report.{json,md}, computed on the exported model loaded by <see cref="MusicGen.Load"/>.</item>
/// </list>
/// A killed run continues from the last checkpoint of the stage it was in.
/// </summary>
public static class TrainingPipeline
{
    public static void Run(SynthModelConfig cfg, string workDir, string outFolder, TrainingStage until,
        IProgress<string>? progress, CancellationToken cancel)
    {
        cfg.Validate();
        set_num_threads(cfg.Threads);
        Directory.CreateDirectory(workDir);
        File.WriteAllText(Path.Combine(workDir, "training-config.json"), System.Text.Json.JsonSerializer.Serialize(cfg, SynthModelConfig.Json));
        string songs = Path.Combine(workDir, "songs");
        var r = SyntheticSongGenerator.Generate(songs, new SynthOptions
        {
            Songs = cfg.Songs, Seconds = cfg.SongSeconds, Seed = cfg.DataSeed, SampleRate = cfg.SampleRate,
        }, null, cancel);
        progress?.Report($"data: {r.Generated} songs rendered, {r.Reused} kept ({songs})");
        if (until == TrainingStage.Data) return;

        var corpus = SongCorpus.Load(songs, cfg.SampleRate, progress);
        CodecTrainer.Run(cfg, corpus, workDir, progress, cancel);
        if (until == TrainingStage.Codec) return;

        string textDir = Path.Combine(workDir, "text");
        if (!File.Exists(Path.Combine(textDir, "spiece.model")))
        {
            var descriptions = corpus.Songs.SelectMany((s, i) =>
                SongCorpus.TrainingVariants(s, new Random(cfg.DataSeed * 7 + i)).Select(v => SongCorpus.Describe(s, v)));
            TextVocabulary.Train(descriptions, cfg.TextVocabSize, cfg.Seed, textDir);
        }
        var tokenizer = T5Tokenizer.Load(textDir);
        progress?.Report($"text: SentencePiece vocabulary of {tokenizer.VocabSize} pieces ({textDir})");
        if (until == TrainingStage.Text) return;

        var config = cfg.ToMusicGenConfig(tokenizer.VocabSize);
        using var text = new TextConditioner(config.TextEncoder, config.Decoder.HiddenSize);
        using var lm = new MusicGenLm(config.Decoder);
        LmTrainer.Initialise(text, lm, config.TextEncoder, cfg.Seed);
        // The trained codec with the untrained LM, loadable by MusicGen.Load: what the judge's codec calibration
        // needs (it only encodes and decodes), available while the LM trains.
        string codecModel = Path.Combine(workDir, "codec-model");
        if (!File.Exists(Path.Combine(codecModel, "model.safetensors")))
            ModelExporter.Write(codecModel, cfg, CodecTrainer.ExportPath(workDir), textDir, text, lm, tokenizer.VocabSize);
        var codes = EncodeCorpus(cfg, config, corpus, workDir, progress, cancel);
        LmTrainer.Run(cfg, config, tokenizer, codes, text, lm, Path.Combine(workDir, "lm"), progress, cancel);
        if (until == TrainingStage.Lm) return;
        MatchedPairTuner.Run(cfg, config, tokenizer, codes, text, lm, Path.Combine(workDir, "pairs"), progress, cancel);
        if (until == TrainingStage.Pairs) return;

        ModelExporter.Write(outFolder, cfg, CodecTrainer.ExportPath(workDir), textDir, text, lm, tokenizer.VocabSize);
        progress?.Report($"export: {Path.GetFullPath(outFolder)}");
        if (until == TrainingStage.Export) return;
        Report(cfg, workDir, outFolder, codes, progress, cancel);
    }

    /// <summary>Held-out figures of the exported model (loaded through the public loader) → OUT/training-report.*.</summary>
    public static void Report(SynthModelConfig cfg, string workDir, string outFolder, CodesCorpus training, IProgress<string>? progress, CancellationToken cancel)
    {
        string heldOutDir = Path.Combine(workDir, "songs-heldout");
        SyntheticSongGenerator.Generate(heldOutDir, new SynthOptions
        {
            Songs = cfg.HeldOutSongs, Seconds = cfg.SongSeconds, Seed = cfg.HeldOutSeed, SampleRate = cfg.SampleRate,
        }, null, cancel);
        var heldOut = SongCorpus.Load(heldOutDir, cfg.SampleRate, progress);
        using var model = MusicGen.Load(outFolder, new MusicGenLoadOptions { Log = _ => { } });
        var codec = TrainingReport.Codec(model, heldOut, progress);
        var lm = TrainingReport.Lm(model, heldOut, training, (int)Math.Round(cfg.LmWindowSeconds * cfg.FrameRate), cfg.HeldOutSeed, progress);
        TextConditioningCheck.Result? text = null;
        string judgeFile = Path.Combine(outFolder, Judging.TraitJudge.DefaultFileName(Data.Synth.SynthStems.Drums));
        if (File.Exists(judgeFile))
            text = TextConditioningCheck.Run(model, Judging.TraitJudge.Load(judgeFile), heldOut, n: 100, seconds: 5, seed: cfg.HeldOutSeed, progress, cancel, clipsPerText: 2);
        else progress?.Report($"report: no {judgeFile}; the text-conditioning check is skipped (train the judge first: smitin judge train)");
        TrainingReport.Write(Path.Combine(outFolder, "training-report.json"), codec, lm, text);
        string md = TrainingReport.Markdown(codec, lm, text);
        AtomicFile.WriteAllText(Path.Combine(outFolder, "training-report.md"), md);
        progress?.Report("report:\n" + md);
    }

    static CodesCorpus EncodeCorpus(SynthModelConfig cfg, MusicGenConfig config, SongCorpus corpus, string workDir,
        IProgress<string>? progress, CancellationToken cancel)
    {
        using var ckpt = Checkpoint.Open(CodecTrainer.ExportFolder(workDir));
        using var codec = EncodecModel.Load(ckpt, config.AudioEncoder);
        return CodesCorpus.Build(corpus, codec, Path.Combine(workDir, "lm", "codes"), cfg.DataSeed, progress, cancel);
    }
}
