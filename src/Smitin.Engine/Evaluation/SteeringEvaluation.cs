using System.Diagnostics;
using System.Globalization;
using Smitin.Audio;
using Smitin.Generation;
using Smitin.Judging;
using Smitin.Models;
using Smitin.Probing;
using Smitin.Steering;
using TorchSharp;
using static TorchSharp.torch;

namespace Smitin.Evaluation;

/// <summary>
/// The paper's audio-continuation comparison (SMITIN §V; issue 12), judged by an independent audio classifier
/// (<see cref="TraitJudge"/>), not by the probes that steer. For n matched windows of songs that have the trait:
/// <list type="bullet">
/// <item>adding rows continue the first P s of the mixture <b>without</b> the trait: no control, text, ITI, SMITIN
/// (each α), SMITIN + text, each steering row once per probe direction; success = the judge hears the trait in the
/// C s continuation;</item>
/// <item>floor and ceiling: the real last C s of the same windows without / with the trait, through the codec;</item>
/// <item>removal rows continue the first P s of the mixture <b>with</b> the trait, steered to remove it; success =
/// the judge no longer hears it.</item>
/// </list>
/// Every row uses the same prompts and, batch for batch, the same sampling seeds, so rows differ only by the condition.
/// </summary>
public static class SteeringEvaluation
{
    /// <summary>What the Fréchet distance and the prompt similarity are computed on (recorded in every result).</summary>
    public const string EmbeddingDescription =
        "codec encoder latents (the model's EnCodec encoder output before quantisation, one D-dim vector per frame); " +
        "FAD = Fréchet distance between Gaussians fitted to all frames of a row's continuations and all frames of the reference continuations; " +
        "prompt similarity = cosine between the time-averaged latents of the prompt and of its continuation, averaged over prompts";

    /// <summary>Loads the prompts from a stem collection (see <see cref="EvaluationPrompts"/>) and runs the comparison.</summary>
    public static EvaluationResult Run(MusicGen model, string promptFolder, IReadOnlyList<ProbeSet> probes, TraitJudge judge,
        EvaluationOptions options, IProgress<EvaluationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        options.Validate();
        var prompts = EvaluationPrompts.Load(promptFolder, options, model.SampleRate, model.AudioChannels,
            Math.Max(options.Prompts, options.ResolvedRemovalPrompts), cancellationToken);
        return Run(model, prompts, probes, judge, options, progress, cancellationToken);
    }

    /// <summary>
    /// Runs every row on <paramref name="prompts"/> (the first n for adding rows, the first n_remove for removal rows).
    /// </summary>
    /// <param name="probes">one probe set per direction (probe weight, mass-mean) for <see cref="EvaluationOptions.Trait"/>, trained on this model</param>
    /// <param name="judge">the trait judge (e.g. <c>judge-drums.json</c> next to the model)</param>
    /// <exception cref="SmitinException">the judge or a probe set is for another trait or model; two probe sets share a direction;
    /// no probe set for any requested direction; a prompt has the wrong rate, channels or length</exception>
    /// <exception cref="OperationCanceledException">cancelled</exception>
    /// <param name="options">rows, lengths, seeds and sampling of the comparison</param>
    /// <param name="prompts">prompt windows, P s each, at the model's rate and channels</param>
    /// <param name="model">the model to steer (the probe sets and the judge must be for it)</param>
    /// <param name="progress">receives one report per generated batch</param>
    /// <param name="cancellationToken">cancels between and inside generations</param>
    public static EvaluationResult Run(MusicGen model, IReadOnlyList<EvaluationPrompt> prompts, IReadOnlyList<ProbeSet> probes, TraitJudge judge,
        EvaluationOptions options, IProgress<EvaluationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        options.Validate();
        var clock = Stopwatch.StartNew();
        if (!string.Equals(judge.Trait, options.Trait, StringComparison.OrdinalIgnoreCase))
            throw new SmitinException($"evaluation of '{options.Trait}': the judge is for '{judge.Trait}'");
        var identity = ProbeModelIdentity.Of(model);
        var byDirection = new Dictionary<ProbeDirection, ProbeSet>();
        foreach (var p in probes)
        {
            if (!string.Equals(p.Trait, options.Trait, StringComparison.OrdinalIgnoreCase))
                throw new SmitinException($"evaluation of '{options.Trait}': a probe set is for '{p.Trait}'");
            p.EnsureModel(identity);
            if (!byDirection.TryAdd(p.Direction, p))
                throw new SmitinException($"evaluation: two probe sets with the {ProbeSetOptions.Name(p.Direction)} direction; give one per direction");
        }
        if (!options.Directions.Any(byDirection.ContainsKey))
            throw new SmitinException($"evaluation: no probe set for the requested direction(s) {string.Join(", ", options.Directions.Select(ProbeSetOptions.Name))} (got {string.Join(", ", byDirection.Keys.Select(ProbeSetOptions.Name))})");
        var monitorSet = byDirection[options.Directions.First(byDirection.ContainsKey)];

        int rate = model.SampleRate, channels = model.AudioChannels;
        int promptSamples = (int)Math.Round(options.PromptSeconds * rate), contSamples = (int)Math.Round(options.ContinuationSeconds * rate);
        int windowSamples = (int)Math.Round((options.PromptSeconds + options.ContinuationSeconds) * rate);
        for (int i = 0; i < prompts.Count; i++)
            foreach (var (what, clip) in new[] { ("with", prompts[i].With), ("without", prompts[i].Without) })
                if (clip.SampleRate != rate || clip.Channels != channels || clip.Frames < windowSamples)
                    throw new SmitinException($"evaluation prompt {i} ({prompts[i]}, {what}): {clip.Describe()}; expected {channels} ch at {rate} Hz and at least {windowSamples} frames");
        var add = prompts.Take(options.Prompts).ToArray();
        var remove = prompts.Take(options.ResolvedRemovalPrompts).ToArray();
        int examples = Math.Min(options.Examples, add.Length);

        long seed = RandomSeed.Resolve(options.Seed);                                   // recorded in the result
        var ctx = new Context(model, judge, options, seed, promptSamples, contSamples, windowSamples, progress, clock, cancellationToken);
        // Prompt embeddings (time-averaged) for the similarity; reference frames for FAD.
        var addPromptMeans = ctx.PromptMeans(add.Select(p => p.Without).ToArray(), "prompts");
        var removePromptMeans = remove.Length > 0 ? ctx.PromptMeans(remove.Select(p => p.With).ToArray(), "prompts (removal)") : [];
        var realWithout = ctx.Real(add.Select(p => p.Without).ToArray(), "real-without");
        var realWith = ctx.Real(add.Select(p => p.With).ToArray(), "real-with");
        // removal rows are compared with the real continuations without the trait of their own windows
        float[][] removeReference = remove.Length == 0 ? []
            : remove.Length <= add.Length ? realWithout.Frames.Take(remove.Length).SelectMany(f => f).ToArray()
            : ctx.Real(remove.Select(p => p.Without).ToArray(), "real-without (removal)").FrameList;

        var rows = new List<EvaluationRow>();
        var exampleClips = Enumerable.Range(0, examples).Select(_ => new List<(string, string, AudioClip, double)>()).ToArray();
        void Keep(string label, string task, Collected c)
        {
            for (int i = 0; i < examples && i < c.Audio.Count; i++) exampleClips[i].Add((label, task, c.Audio[i], c.Probabilities[i]));
        }

        var floor = ctx.Row("real-without", "add", null, null, null, null, realWithout, realWith.FrameList, addPromptMeans, "real-with");
        rows.Add(floor); Keep(floor.Label, "add", realWithout);
        foreach (var spec in EvaluationRowSpec.Rows(options, byDirection.Keys))
        {
            bool adding = spec.Task == "add";
            var set = spec.Direction is { } d ? byDirection[d] : monitorSet;
            var plan = spec.Steering is null ? InterventionPlan.Monitor([set]) : InterventionPlan.Build(set, spec.Steering);
            var source = adding ? add.Select(p => p.Without).ToArray() : remove.Select(p => p.With).ToArray();
            var collected = ctx.Generate(source, spec.Text, plan, spec.Label);
            var row = ctx.Row(spec.Method, spec.Task, spec.DirectionName, spec.Alpha, spec.Every, spec.Text, collected,
                adding ? realWith.FrameList : removeReference, adding ? addPromptMeans : removePromptMeans,
                adding ? "real-with" : "real-without");
            rows.Add(row);
            Keep(row.Label, spec.Task, collected);
        }
        var ceiling = ctx.Row("real-with", "add", null, null, null, null, realWith, realWith.FrameList, addPromptMeans, "real-with");
        rows.Insert(rows.FindLastIndex(r => r.Task == "add") + 1, ceiling);
        for (int i = 0; i < examples; i++) exampleClips[i].Insert(exampleClips[i].FindLastIndex(c => c.Item2 == "add") + 1, (ceiling.Label, "add", realWith.Audio[i], realWith.Probabilities[i]));

        var g = options.Generation;
        return new EvaluationResult
        {
            Trait = options.Trait, Model = Path.GetFileName(Path.TrimEndingDirectorySeparator(model.Folder)), ModelIdentity = model.Identity,
            Rows = rows,
            Judge = string.Create(CultureInfo.InvariantCulture, $"trait judge '{judge.Trait}' (log-mel statistics + logistic regression, threshold {judge.Threshold:0.##}, window {judge.WindowSeconds:0.##} s; docs/judge.md)"),
            Embedding = EmbeddingDescription,
            PromptSeconds = options.PromptSeconds, ContinuationSeconds = options.ContinuationSeconds, Seed = seed, BatchSize = options.BatchSize,
            Sampling = string.Create(CultureInfo.InvariantCulture, $"{(g.IsGreedy ? "greedy" : $"top-k {g.TopK}, top-p {g.TopP}, temperature {g.Temperature}")}, guidance {g.GuidanceScale ?? model.Config.GuidanceScale}"),
            BaseText = options.BaseText, PromptsRequested = options.Prompts,
            Prompts = prompts.Take(Math.Max(add.Length, remove.Length)).Select(p => p.ToString()).ToArray(),
            ProbeSets = byDirection.Values.Select(Describe).ToArray(),
            Seconds = Math.Round(clock.Elapsed.TotalSeconds, 1),
            Created = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            Examples = Enumerable.Range(0, examples).Select(i => new EvaluationExample(add[i].ToString(), exampleClips[i])).ToArray(),
        };
    }

    static string Describe(ProbeSet p) => string.Create(CultureInfo.InvariantCulture,
        $"{p.Trait} {ProbeSetOptions.Name(p.Direction)}: best head {p.Accuracy.Max():P1}, τ {p.Tau:0.###} ({(p.TauIsDefault ? "median(acc) - std(acc)" : "given")}), p {p.SoftWeightExponent:0.##}, M {p.MonitorHeadIndices.Length}, {p.Layers}x{p.Heads} heads");

    /// <summary>Seed of batch <paramref name="batch"/> (shared by every row).</summary>
    public static long BatchSeed(long seed, int batch) => seed * 1000 + batch;

    /// <summary>Per-continuation outputs of one row.</summary>
    sealed class Collected
    {
        public List<double> Probabilities { get; } = [];
        public List<float[][]> Frames { get; } = [];          // per clip: (F, D)
        public List<float[]> Means { get; } = [];             // per clip: (D)
        public List<AudioClip> Audio { get; } = [];           // prompt + continuation, examples only
        public List<double> Shifted { get; } = [];
        public List<double> Confidence { get; } = [];
        public List<long> Seeds { get; } = [];
        public double Seconds { get; set; }
        public float[][] FrameList => Frames.SelectMany(f => f).ToArray();
    }

    /// <summary>Continues <paramref name="prompt"/> in <paramref name="batch"/> rows under one condition: the text, or no
    /// text condition at all when it is null (<see cref="MusicGen.GenerateUnconditional"/>).</summary>
    /// <param name="model">the model</param>
    /// <param name="text">the text of every row, or null</param>
    /// <param name="batch">rows</param>
    /// <param name="options">length, seed, sampling, steering</param>
    /// <param name="prompt">(1 or batch, C, P) audio prompt at the model's rate</param>
    /// <param name="ct">cancels the generation</param>
    /// <param name="decodeAudio">decode the codes to audio</param>
    internal static GenerationResult Continue(MusicGen model, string? text, int batch, GenerationOptions options, Tensor prompt,
        CancellationToken ct, bool decodeAudio = true) =>
        text is null
            ? model.GenerateUnconditional(batch, options, prompt, null, ct, decodeAudio)
            : model.Generate(Enumerable.Repeat(text, batch).ToArray(), options, prompt, null, ct, decodeAudio);

    sealed class Context(MusicGen model, TraitJudge judge, EvaluationOptions o, long runSeed, int promptSamples, int contSamples, int windowSamples,
        IProgress<EvaluationProgress>? progress, Stopwatch clock, CancellationToken ct)
    {
        IEnumerable<(int Start, AudioClip[] Clips)> Batches(AudioClip[] clips)
        {
            for (int s = 0; s < clips.Length; s += o.BatchSize) yield return (s, clips.Skip(s).Take(o.BatchSize).ToArray());
        }

        static Tensor Stack(IEnumerable<AudioClip> clips, int start, int length)                             // (B, C, length)
            => torch.stack(clips.Select(c => c.ToTensor().narrow(1, start, length)).ToArray());

        /// <summary>(B, C, T) audio → per clip (F, D) encoder latents (channels of a stereo model with a mono codec are frames too).</summary>
        float[][][] Latents(Tensor audio)
        {
            using var scope = torch.NewDisposeScope();
            var codec = model.Codec;
            var x = audio.to(ScalarType.Float32, model.Device);
            long b = x.shape[0], c = x.shape[1];
            if (c != codec.Channels) x = x.reshape(b * c, 1, x.shape[2]);
            var z = codec.Embed(x);                                                                            // (B·c', D, F)
            if (z.shape[0] != b) z = z.reshape(b, c, z.shape[1], z.shape[2]).permute(0, 2, 1, 3).reshape(b, z.shape[1], c * z.shape[2]);
            z = z.transpose(1, 2).contiguous().cpu();                                                          // (B, F, D)
            int f = (int)z.shape[1], d = (int)z.shape[2];
            var flat = z.data<float>().ToArray();
            var result = new float[b][][];
            for (int i = 0; i < b; i++)
            {
                result[i] = new float[f][];
                for (int t = 0; t < f; t++) result[i][t] = flat.AsSpan((i * f + t) * d, d).ToArray();
            }
            return result;
        }

        static float[] Mean(float[][] frames)
        {
            var m = new float[frames[0].Length];
            foreach (var fr in frames) for (int j = 0; j < m.Length; j++) m[j] += fr[j];
            for (int j = 0; j < m.Length; j++) m[j] /= frames.Length;
            return m;
        }

        public float[][] PromptMeans(AudioClip[] clips, string stage)
        {
            var means = new List<float[]>();
            foreach (var (start, batch) in Batches(clips))
            {
                ct.ThrowIfCancellationRequested();
                using var scope = torch.NewDisposeScope();
                means.AddRange(Latents(Stack(batch, 0, promptSamples)).Select(Mean));
                progress?.Report(new(stage, start + batch.Length, clips.Length, clock.Elapsed));
            }
            return means.ToArray();
        }

        /// <summary>The real windows through the codec; the continuation is their last C s.</summary>
        public Collected Real(AudioClip[] clips, string stage)
        {
            var c = new Collected();
            var t0 = clock.Elapsed;
            foreach (var (start, batch) in Batches(clips))
            {
                ct.ThrowIfCancellationRequested();
                using var scope = torch.NewDisposeScope();
                var audio = Stack(batch, 0, windowSamples).to(model.Device);                                  // (b, C, P + C)
                var rec = model.DecodeCodes(model.EncodeAudio(audio)).cpu();                                   // (b, C, ≥ P + C)
                Collect(c, rec, start);
                progress?.Report(new(stage, start + batch.Length, clips.Length, clock.Elapsed));
            }
            c.Seconds = (clock.Elapsed - t0).TotalSeconds;
            return c;
        }

        /// <summary>Continues each clip's first P s; the plan steers or only monitors.</summary>
        public Collected Generate(AudioClip[] clips, string? text, InterventionPlan plan, string stage)
        {
            var c = new Collected();
            var t0 = clock.Elapsed;
            int batchIndex = 0;
            foreach (var (start, batch) in Batches(clips))
            {
                ct.ThrowIfCancellationRequested();
                using var scope = torch.NewDisposeScope();
                long seed = BatchSeed(runSeed, batchIndex++);
                var options = o.Generation with { DurationSeconds = o.PromptSeconds + o.ContinuationSeconds, Seed = seed, Steering = plan };
                var prompt = Stack(batch, 0, promptSamples);                                                   // (b, C, P)
                using var result = Continue(model, text, batch.Length, options, prompt, ct);
                Collect(c, result.Audio!, start);
                c.Seeds.Add(seed);
                var trace = result.Steering!.Trace.Traits[0];
                foreach (var s in trace.Samples)
                {
                    var summary = MonitorSummary.Of(trace.Trait, s);                                           // over the generated steps
                    c.Shifted.Add(summary.ShiftedFraction);
                    c.Confidence.Add(summary.MeanConfidence);
                }
                progress?.Report(new(stage, start + batch.Length, clips.Length, clock.Elapsed));
            }
            c.Seconds = (clock.Elapsed - t0).TotalSeconds;
            return c;
        }

        /// <summary>Cuts the continuation out of (b, C, T) audio, judges and embeds it, keeps examples.</summary>
        void Collect(Collected c, Tensor audio, int start)
        {
            long available = audio.shape[2];
            if (available < promptSamples + contSamples)
                throw new SmitinException($"evaluation: decoded audio has {available} samples, expected at least {promptSamples + contSamples} (prompt + continuation)");
            var cont = audio.narrow(2, promptSamples, contSamples);                                            // (b, C, C s)
            c.Probabilities.AddRange(judge.Probabilities(cont, model.SampleRate));
            foreach (var frames in Latents(cont)) { c.Frames.Add(frames); c.Means.Add(Mean(frames)); }
            for (int i = 0; i < audio.shape[0] && start + i < o.Examples; i++)
            {
                using var row = audio[i].narrow(1, 0, promptSamples + contSamples);
                c.Audio.Add(AudioClip.FromTensor(row, model.SampleRate, $"example {start + i}"));
            }
        }

        public EvaluationRow Row(string method, string task, string? direction, double? alpha, int? every, string? text, Collected c,
            float[][] referenceFrames, float[][] promptMeans, string reference)
        {
            ct.ThrowIfCancellationRequested();
            bool adding = task == "add";
            int n = c.Probabilities.Count;
            int k = c.Probabilities.Count(p => (p >= judge.Threshold) == adding);
            var (lo, hi) = BinomialInterval.Wilson(k, n);
            double sim = c.Means.Select((m, i) => Cosine(m, promptMeans[i])).Average();
            bool real = method.StartsWith("real", StringComparison.Ordinal);
            return new EvaluationRow
            {
                Method = method, Task = task, Direction = direction, Alpha = alpha, Every = every, Text = text, N = n, Successes = k,
                Success = (double)k / n, SuccessCi95 = [lo, hi], JudgeProbability = c.Probabilities.Average(),
                Fad = FrechetDistance.Between(c.FrameList, referenceFrames), FadReference = reference, PromptSimilarity = sim,
                ShiftedFraction = real ? null : c.Shifted.Average(), MonitorConfidence = real ? null : c.Confidence.Average(),
                Seeds = c.Seeds.ToArray(), Seconds = Math.Round(c.Seconds, 1),
            };
        }

        static double Cosine(float[] a, float[] b)
        {
            double dot = 0, na = 0, nb = 0;
            for (int i = 0; i < a.Length; i++) { dot += a[i] * b[i]; na += a[i] * a[i]; nb += b[i] * b[i]; }
            return na > 0 && nb > 0 ? dot / Math.Sqrt(na * nb) : 0;
        }
    }
}
