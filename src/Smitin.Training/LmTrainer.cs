using System.Diagnostics;
using Smitin.IO;
using Smitin.Models;
using Smitin.Models.Codec;
using Smitin.Models.Decoder;
using Smitin.Models.Text;
using Smitin.Native;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Smitin.Training;

/// <summary>
/// Trains the text conditioning (T5 + <c>enc_to_dec_proj</c>) and the MusicGen decoder with the engine's own modules
/// (<see cref="TextConditioner"/>, <see cref="MusicGenLm"/>): random windows of the codes corpus in MusicGen's delay
/// pattern (<see cref="DelayPattern.Build"/>, the layout generation uses), next-token cross-entropy per codebook,
/// targets at delay-pad positions ignored, the description of each window's mix as text. A share
/// <c>TextDropout</c> of rows trains unconditionally (their text memory zeroed and fully masked, as the reference's
/// unconditional rows of classifier-free guidance and the probes' "no text"); a share <c>EmptyText</c> of the others
/// trains on the empty text "" (what a request without text encodes). AdamW (β 0.9/0.95, wd 0.01), warm-up
/// then cosine decay. Resumable like <see cref="CodecTrainer"/>.
/// </summary>
public static class LmTrainer
{
    public static void Run(SynthModelConfig cfg, MusicGenConfig model, T5Tokenizer tokenizer, CodesCorpus corpus,
        TextConditioner text, MusicGenLm lm, string dir, IProgress<string>? progress, CancellationToken cancel)
    {
        int window = (int)Math.Round(cfg.LmWindowSeconds * cfg.FrameRate);
        RunStage(cfg, "lm", dir, cfg.LmSteps, cfg.LmLearningRate, cfg.LmWarmupSteps, cfg.Seed + 1,
            ["loss", "ce0", "ce1", "ce2", "ce3"], text, lm, (step, rng) =>
            {
                var (input, target, ids, mask) = Batch(corpus, tokenizer, model.Decoder, rng, cfg.LmBatch, window, cfg.TextDropout, cfg.EmptyText, cfg.InputNoise);
                var (loss, perCodebook) = Loss(text, lm, input, target, ids, mask);
                return (loss, () => [loss.item<float>(), .. perCodebook.data<float>().ToArray().Select(x => (double)x)]);
            }, progress, cancel);
    }

    /// <summary>One step of a text + decoder stage: the loss to minimise and, read after the update, the values logged.</summary>
    internal delegate (Tensor Loss, Func<double[]> Logged) StageStep(int step, Random rng);

    /// <summary>
    /// The resumable loop of the stages that train <paramref name="text"/> and <paramref name="lm"/> (lm, pairs): AdamW
    /// (β 0.9/0.95, wd 0.01) over both, linear warm-up then cosine decay from <paramref name="peakLr"/>, gradients
    /// clipped at norm 1, one CSV row every 10 steps (<paramref name="columns"/> then lr), a checkpoint every
    /// <c>CheckpointMinutes</c>, <c>time.txt</c> at the end. Step <c>n</c> draws its batch from
    /// <c>StepRandom(seed, n)</c>, so a resumed run sees the batches an uninterrupted one would. A stage whose
    /// checkpoint is complete only restores its weights.
    /// </summary>
    internal static void RunStage(SynthModelConfig cfg, string stage, string dir, int steps, double peakLr, int warmup, int seed,
        string[] columns, TextConditioner text, MusicGenLm lm, StageStep stepFn, IProgress<string>? progress, CancellationToken cancel)
    {
        Directory.CreateDirectory(dir);
        var parameters = Trainable(text, lm);
        using var optimizer = optim.AdamW(parameters, peakLr, beta1: 0.9, beta2: 0.95, weight_decay: 0.01);
        var state = StateTensors(text, lm);
        var (start, elapsed) = TrainingState.TryLoad(dir, state, optimizer);
        if (start > 0) progress?.Report($"{stage}: resuming at step {start}");
        if (start >= steps) return;
        var log = new TrainingLog(dir, stage, [.. columns, "lr"], start, steps, progress);
        var clock = Stopwatch.StartNew();
        var lastSave = Stopwatch.StartNew();
        text.train(); lm.train();
        for (int step = start; step < steps; step++)
        {
            cancel.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            var rng = CodecTrainer.StepRandom(seed, step);
            double lr = CodecTrainer.LearningRate(peakLr, step, steps, warmup);
            foreach (var g in optimizer.ParamGroups) g.LearningRate = lr;
            var (loss, logged) = stepFn(step, rng);
            optimizer.zero_grad();
            loss.backward();
            nn.utils.clip_grad_norm_(parameters, 1.0);
            optimizer.step();
            if (step % 10 == 0 || step == steps - 1) log.Row(step, [.. logged(), lr]);
            if (lastSave.Elapsed.TotalMinutes >= cfg.CheckpointMinutes)
            {
                TrainingState.Save(dir, step + 1, state, optimizer, elapsed + clock.Elapsed.TotalSeconds);
                lastSave.Restart();
            }
        }
        TrainingState.Save(dir, steps, state, optimizer, elapsed + clock.Elapsed.TotalSeconds);
        File.WriteAllText(Path.Combine(dir, "time.txt"), $"{elapsed + clock.Elapsed.TotalSeconds:F0}\n");
        text.eval(); lm.eval();
    }

    /// <summary>HF-style initialisation of fresh modules: decoder linears/embeddings N(0, 0.02); T5 as <c>T5PreTrainedModel._init_weights</c>.</summary>
    public static void Initialise(TextConditioner text, MusicGenLm lm, T5Config t5, int seed)
    {
        using var _ = no_grad();
        manual_seed(seed);
        foreach (var (name, p) in lm.named_parameters())
            if (p.dim() == 2 && !name.Contains("embed_positions", StringComparison.Ordinal)) nn.init.normal_(p, 0, 0.02);
        double dm = t5.DModel, dkv = t5.DKv, heads = t5.NumHeads, dff = t5.DFf;
        foreach (var (name, p) in text.named_parameters())
        {
            if (!name.StartsWith("text_encoder.", StringComparison.Ordinal) || p.dim() != 2) continue;
            double std = name switch
            {
                _ when name.EndsWith("shared.weight", StringComparison.Ordinal) => 1.0,
                _ when name.EndsWith(".q.weight", StringComparison.Ordinal) => Math.Pow(dm * dkv, -0.5),
                _ when name.EndsWith(".k.weight", StringComparison.Ordinal) || name.EndsWith(".v.weight", StringComparison.Ordinal) => Math.Pow(dm, -0.5),
                _ when name.EndsWith(".o.weight", StringComparison.Ordinal) => Math.Pow(heads * dkv, -0.5),
                _ when name.EndsWith("relative_attention_bias.weight", StringComparison.Ordinal) => Math.Pow(dm, -0.5),
                _ when name.EndsWith(".wi.weight", StringComparison.Ordinal) => Math.Pow(dm, -0.5),
                _ when name.EndsWith(".wo.weight", StringComparison.Ordinal) => Math.Pow(dff, -0.5),
                _ => 0.02,
            };
            nn.init.normal_(p, 0, std);
        }
    }

    /// <summary>Every parameter of both modules except the fixed sinusoidal table, with gradients switched on.</summary>
    internal static List<Parameter> Trainable(TextConditioner text, MusicGenLm lm)
    {
        var list = new List<Parameter>();
        var seen = new HashSet<IntPtr>();
        foreach (var (name, p) in text.named_parameters().Concat(lm.named_parameters()))
        {
            if (name.Contains("embed_positions", StringComparison.Ordinal) || !seen.Add(p.Handle)) continue;
            p.requires_grad = true;
            list.Add(p);
        }
        return list;
    }

    internal static Dictionary<string, Tensor> StateTensors(TextConditioner text, MusicGenLm lm)
    {
        var d = new Dictionary<string, Tensor>();
        foreach (var (k, v) in text.state_dict()) if (!k.EndsWith("encoder.embed_tokens.weight", StringComparison.Ordinal)) d[k] = v;
        foreach (var (k, v) in lm.state_dict()) d["decoder." + k] = v;
        return d;
    }

    /// <summary>
    /// B random windows of <paramref name="window"/> frames: delayed input (B, K, W+K-1... ) and target ids, text ids and
    /// mask (rows dropped to unconditional have an all-zero mask; a share <paramref name="emptyText"/> of the other rows
    /// has the empty text "", drawn only when it is above 0 so that the batches of earlier runs are unchanged). A share
    /// <paramref name="inputNoise"/> of the input codes (not the targets) is replaced by uniformly random codes, drawn
    /// after the rows and only when it is above 0.
    /// </summary>
    internal static (Tensor Input, Tensor Target, Tensor Ids, Tensor Mask) Batch(CodesCorpus corpus, T5Tokenizer tokenizer,
        DecoderConfig dec, Random rng, int batch, int window, double textDropout, double emptyText = 0, double inputNoise = 0)
    {
        int k = dec.NumCodebooks;
        var codes = new long[batch * k * window];
        var texts = new string[batch];
        var dropped = new bool[batch];
        for (int b = 0; b < batch; b++)
        {
            var item = corpus.Items[rng.Next(corpus.Items.Count)];
            int offset = rng.Next(Math.Max(1, item.Frames - window + 1));
            for (int c = 0; c < k; c++)
                for (int f = 0; f < window; f++) codes[(b * k + c) * window + f] = item.At(c, Math.Min(offset + f, item.Frames - 1));
            texts[b] = item.Description;
            dropped[b] = rng.NextDouble() < textDropout;
            if (emptyText > 0 && !dropped[b] && rng.NextDouble() < emptyText) texts[b] = "";
        }
        var (input, target) = DelayedPair(tensor(codes, [batch, k, window]), dec);
        if (inputNoise > 0)
        {
            // the same delay pattern over corrupted codes: input from the noisy copy, targets stay the clean ones
            var noisy = (long[])codes.Clone();
            for (int i = 0; i < noisy.Length; i++)
                if (rng.NextDouble() < inputNoise) noisy[i] = rng.Next(dec.VocabSize);
            (input, _) = DelayedPair(tensor(noisy, [batch, k, window]), dec);
        }
        var tokens = tokenizer.EncodeBatch(texts);
        var ids = tensor(tokens.InputIds);
        var mask = tensor(tokens.AttentionMask) * tensor(dropped.Select(d => d ? 0L : 1L).ToArray()).unsqueeze(1);
        return (input, target, ids, mask);
    }

    /// <summary>
    /// Teacher-forcing pair for codes (B, K, W) in the delay pattern generation uses: the start token, then codebook k
    /// shifted by k steps, delay-pad positions as the pad token. Returns input and target, both (B, K, W + K − 1),
    /// target = input shifted left by one.
    /// </summary>
    public static (Tensor Input, Tensor Target) DelayedPair(Tensor codes, DecoderConfig dec)
    {
        int k = (int)codes.shape[1], w = (int)codes.shape[2];
        var withStart = DelayPattern.WithStartToken(codes, dec.BosTokenId);                              // (B, K, W+1)
        var (_, pattern) = DelayPattern.Build(withStart, dec.PadTokenId, w + k, dec.AudioChannels);     // (B, K, W+K)
        return (pattern.narrow(2, 0, w + k - 1), pattern.narrow(2, 1, w + k - 1));
    }

    /// <summary>Mean cross-entropy over non-pad targets and the per-codebook means (K).</summary>
    internal static (Tensor Loss, Tensor PerCodebook) Loss(TextConditioner text, MusicGenLm lm, Tensor input, Tensor target, Tensor ids, Tensor mask)
    {
        var (nll, valid) = TokenNll(text, lm, input, target, ids, mask);                        // (B, K, T) each
        var perCodebook = nll.sum([0, 2]) / valid.sum([0, 2]).clamp_min(Scalars.One);           // (K)
        return (perCodebook.mean(), perCodebook.detach());
    }

    /// <summary>
    /// Per-token negative log-likelihood (B, K, T) in nats, zero at delay-pad targets, and the float mask of valid
    /// targets (B, K, T). Rows whose <paramref name="mask"/> is all zero are unconditional.
    /// </summary>
    internal static (Tensor Nll, Tensor Valid) TokenNll(TextConditioner text, MusicGenLm lm, Tensor input, Tensor target, Tensor ids, Tensor mask)
    {
        var memory = text.call(ids, mask);                                                      // (B, S, D), zero where masked
        var additive = zeros(mask.shape, ScalarType.Float32).masked_fill(mask.eq(Scalars.Zero), Scalars.FloatMin).unsqueeze(1).unsqueeze(1); // (B,1,1,S)
        var h = lm.Stack.Forward(input, memory, additive, null, null);                          // (B, T, D)
        var logits = stack(lm.lm_heads.Select(head => head.call(h)), 1);                        // (B, K, T, V)
        long v = logits.shape[3];
        using var padToken = lm.Config.PadTokenId.ToScalar();                                   // held (Scalars)
        var validBool = target.ne(padToken);                                                     // (B, K, T)
        var valid = validBool.to(ScalarType.Float32);
        var safeTarget = where(validBool, target, zeros_like(target));
        var nll = nn.functional.cross_entropy(logits.reshape(-1, v), safeTarget.reshape(-1), reduction: nn.Reduction.None)
            .view(target.shape) * valid;                                                         // (B, K, T)
        return (nll, valid);
    }
}
