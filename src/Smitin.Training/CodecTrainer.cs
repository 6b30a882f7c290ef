using System.Diagnostics;
using Smitin.IO;
using Smitin.Models;
using Smitin.Models.Codec;
using Smitin.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace Smitin.Training;

/// <summary>
/// Trains the codec: the engine's own SEANet <see cref="EncodecEncoder"/> / <see cref="EncodecDecoder"/> modules
/// (so the trained weights are exactly what inference runs) with a <see cref="TrainableResidualVq"/>.
/// Loss = w₁·L1(waveform) + multi-scale log-mel L1 + β·commitment (no adversarial loss). The first
/// <c>CodecWarmupSteps</c> train a plain autoencoder; then every codebook level is seeded by k-means on encoder
/// outputs and the quantiser is switched on (straight-through gradients, EMA codebooks, dead-code restart).
/// The encoder's output is standardised per channel by running statistics (<see cref="LatentNormaliser"/>, folded
/// into the last convolution at export), so the quantiser always sees unit-scale latents.
/// Convolutions are trained without the weight-norm reparametrisation and exported in its layout
/// (<c>weight_g</c> = ‖w‖ per output channel, <c>weight_v</c> = w), which the loader folds back to w.
/// Resumable: a checkpoint every <c>CheckpointMinutes</c> in <c>WORK/codec/checkpoint</c>; batches depend only on
/// (seed, step), so a resumed run sees the batches an uninterrupted one would.
/// </summary>
public static class CodecTrainer
{
    /// <summary>Codec weights under <c>audio_encoder.*</c>, written by <see cref="Run"/> when training is complete.</summary>
    public static string ExportFolder(string workDir) => Path.Combine(workDir, "codec", "export");
    public static string ExportPath(string workDir) => Path.Combine(ExportFolder(workDir), "model.safetensors");

    public static void Run(SynthModelConfig cfg, SongCorpus corpus, string workDir, IProgress<string>? progress, CancellationToken cancel)
    {
        string dir = Path.Combine(workDir, "codec");
        if (File.Exists(ExportPath(workDir))) { progress?.Report($"codec: already trained ({ExportPath(workDir)})"); return; }
        Directory.CreateDirectory(dir);
        var encCfg = cfg.ToMusicGenConfig(cfg.TextVocabSize).AudioEncoder;
        torch.manual_seed(cfg.Seed);
        using var encoder = new EncodecEncoder(encCfg);
        using var decoder = new EncodecDecoder(encCfg);
        int levels = encCfg.NumQuantizers;
        using var rvq = new TrainableResidualVq(levels, cfg.CodebookSize, cfg.LatentDim, cfg.EmaDecay, cfg.DeadCodeThreshold);
        var parameters = encoder.parameters().Concat(decoder.parameters()).ToList();
        using var optimizer = optim.Adam(parameters, cfg.CodecLearningRate, beta1: 0.5, beta2: 0.9);
        using var melLoss = new MultiScaleMelLoss(cfg.SampleRate);
        using var norm = new LatentNormaliser(cfg.LatentDim);
        var state = StateTensors(encoder, decoder, rvq);
        state["latent.mean"] = norm.Mean; state["latent.std"] = norm.Std;
        var (start, elapsed) = TrainingState.TryLoad(dir, state, optimizer);
        if (start > 0) { norm.MarkInitialised(); progress?.Report($"codec: resuming at step {start}"); }
        var log = new TrainingLog(dir, "codec", ["loss", "mel", "l1", "commit", "latent_std", "lr", "used0", "used1", "used2", "used3"], start, cfg.CodecSteps, progress);
        int segment = (int)Math.Round(cfg.CodecSegmentSeconds * cfg.SampleRate);
        int vectorsPerStep = cfg.CodecBatch * (int)Math.Ceiling((double)segment / cfg.HopLength);
        var clock = Stopwatch.StartNew();
        var lastSave = Stopwatch.StartNew();
        encoder.train(); decoder.train();

        for (int step = start; step < cfg.CodecSteps; step++)
        {
            cancel.ThrowIfCancellationRequested();
            var rng = StepRandom(cfg.Seed, step);
            if (step == cfg.CodecWarmupSteps) InitCodebooks(cfg, corpus, encoder, norm, rvq, segment, vectorsPerStep, progress);
            using var scope = NewDisposeScope();
            double lr = LearningRate(cfg.CodecLearningRate, step, cfg.CodecSteps, 50);
            foreach (var g in optimizer.ParamGroups) g.LearningRate = lr;
            var x = Batch(corpus, rng, cfg.CodecBatch, segment);                    // (B, 1, T)
            var z = norm.Apply(encoder.call(x), update: true);                      // (B, D, F), per channel ~N(0, 1)
            Tensor q = z, commit = zeros(1).squeeze();
            int[] used = new int[levels];
            if (step >= cfg.CodecWarmupSteps)
            {
                var (st, codes, c) = rvq.Forward(z, update: true, rng);
                q = st; commit = c;
                used = TrainableResidualVq.UsedCodes(codes);
            }
            var y = decoder.call(q);                                                // (B, 1, T)
            var mel = melLoss.Compute(y, x);
            var l1 = (y - x).abs().mean();
            using var l1Weight = cfg.WaveformL1Weight.ToScalar();                   // held (Scalars)
            using var commitmentWeight = cfg.CommitmentWeight.ToScalar();
            var loss = mel.add(l1.mul(l1Weight), Scalars.One).add(commit.mul(commitmentWeight), Scalars.One);
            optimizer.zero_grad();
            loss.backward();
            nn.utils.clip_grad_norm_(parameters, 1.0);
            optimizer.step();
            if (step % 10 == 0 || step == cfg.CodecSteps - 1)
                log.Row(step, loss.item<float>(), mel.item<float>(), l1.item<float>(), commit.item<float>(), norm.Std.mean().item<float>(), lr,
                    used.ElementAtOrDefault(0), used.ElementAtOrDefault(1), used.ElementAtOrDefault(2), used.ElementAtOrDefault(3));
            if (lastSave.Elapsed.TotalMinutes >= cfg.CheckpointMinutes)
            {
                TrainingState.Save(dir, step + 1, state, optimizer, elapsed + clock.Elapsed.TotalSeconds);
                lastSave.Restart();
            }
        }
        Directory.CreateDirectory(ExportFolder(workDir));
        encoder.eval();
        var calibration = new Random(cfg.Seed ^ 0x5ca1e);
        norm.Recalibrate(encoder, Enumerable.Range(0, 50).Select(_ => Batch(corpus, calibration, cfg.CodecBatch, segment)));
        progress?.Report($"codec: latent statistics recalibrated on {50 * cfg.CodecBatch} segments with the final weights");
        TrainingState.Save(dir, cfg.CodecSteps, state, optimizer, elapsed + clock.Elapsed.TotalSeconds); // before folding: raw weights, recalibrated statistics
        norm.FoldInto(encoder);
        Export(encoder, decoder, rvq, ExportPath(workDir));
        File.WriteAllText(Path.Combine(dir, "time.txt"), $"{elapsed + clock.Elapsed.TotalSeconds:F0}\n");
        progress?.Report($"codec: done in {TimeSpan.FromSeconds(elapsed + clock.Elapsed.TotalSeconds):hh\\:mm\\:ss} -> {ExportPath(workDir)}");
    }

    internal static Random StepRandom(int seed, int step) => new(unchecked(seed * 1_000_003 + step * 7919 + 17));

    /// <summary>Linear warm-up, then cosine decay to 10 % of the peak.</summary>
    internal static double LearningRate(double peak, int step, int total, int warmup)
    {
        if (step < warmup) return peak * (step + 1) / warmup;
        double t = (double)(step - warmup) / Math.Max(1, total - warmup);
        return peak * (0.1 + 0.9 * 0.5 * (1 + Math.Cos(Math.PI * t)));
    }

    /// <summary>B random segments of random stem mixes: (B, 1, T).</summary>
    internal static Tensor Batch(SongCorpus corpus, Random rng, int batch, int segment)
    {
        var data = new float[batch * segment];
        for (int b = 0; b < batch; b++)
        {
            var song = corpus.Songs[rng.Next(corpus.Songs.Count)];
            var stems = SongCorpus.RandomStems(song, rng);
            int offset = rng.Next(Math.Max(1, song.Frames - segment));
            foreach (var s in stems)
            {
                var a = song.Stems[s];
                for (int i = 0; i < segment && offset + i < a.Length; i++) data[b * segment + i] += a[offset + i];
            }
        }
        return tensor(data, [batch, 1, segment]);
    }

    static void InitCodebooks(SynthModelConfig cfg, SongCorpus corpus, EncodecEncoder encoder, LatentNormaliser norm, TrainableResidualVq rvq,
        int segment, int vectorsPerStep, IProgress<string>? progress)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var rng = new Random(cfg.Seed ^ 0x6b6d);
        var rows = new List<Tensor>();
        int needed = 20 * cfg.CodebookSize;
        for (int n = 0; n < needed;)
        {
            var z = norm.Apply(encoder.call(Batch(corpus, rng, cfg.CodecBatch, segment)), update: true); // (B, D, F)
            var r = z.permute(0, 2, 1).reshape(-1, z.shape[1]);
            rows.Add(r); n += (int)r.shape[0];
        }
        rvq.InitKMeans(cat(rows, 0), iterations: 12, vectorsPerStep, rng);
        progress?.Report($"codec: codebooks initialised by k-means on {needed} encoder vectors");
    }

    static Dictionary<string, Tensor> StateTensors(EncodecEncoder encoder, EncodecDecoder decoder, TrainableResidualVq rvq)
    {
        var d = new Dictionary<string, Tensor>();
        foreach (var (k, v) in encoder.state_dict()) d["encoder." + k] = v;
        foreach (var (k, v) in decoder.state_dict()) d["decoder." + k] = v;
        for (int k = 0; k < rvq.Levels; k++)
        {
            d[$"rvq.{k}.embed"] = rvq.Embed[k];
            d[$"rvq.{k}.embed_avg"] = rvq.EmbedAvg[k];
            d[$"rvq.{k}.cluster_size"] = rvq.ClusterSize[k];
        }
        return d;
    }

    /// <summary>Writes the codec under <c>audio_encoder.*</c> in the Hugging Face EnCodec layout (weight norm as g/v).</summary>
    internal static void Export(EncodecEncoder encoder, EncodecDecoder decoder, TrainableResidualVq rvq, string path)
    {
        using var scope = NewDisposeScope();
        var tensors = new Dictionary<string, Tensor>();
        foreach (var (prefix, module) in new (string, nn.Module)[] { ("audio_encoder.encoder.", encoder), ("audio_encoder.decoder.", decoder) })
            foreach (var (k, v) in module.state_dict())
            {
                var w = v.detach().contiguous();
                if (k.EndsWith(".conv.weight", StringComparison.Ordinal) && w.dim() == 3)
                {
                    string stem = prefix + k[..^".weight".Length];
                    tensors[stem + ".weight_g"] = w.pow(Scalars.Two).sum([1, 2], keepdim: true).sqrt(); // (d0, 1, 1), norm over all dims but 0
                    tensors[stem + ".weight_v"] = w;
                }
                else tensors[prefix + k] = w;
            }
        for (int k = 0; k < rvq.Levels; k++)
        {
            string p = $"audio_encoder.quantizer.layers.{k}.codebook.";
            tensors[p + "embed"] = rvq.Embed[k].contiguous();
            tensors[p + "embed_avg"] = rvq.EmbedAvg[k].contiguous();
            tensors[p + "cluster_size"] = rvq.ClusterSize[k].contiguous();
            tensors[p + "inited"] = ones(1);
        }
        SafeTensorsWriter.Write(path, tensors, new Dictionary<string, string> { ["format"] = "pt" });
    }
}
