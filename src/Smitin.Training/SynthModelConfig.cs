using System.Text.Json;
using System.Text.Json.Nodes;
using Smitin.Models;

namespace Smitin.Training;

/// <summary>
/// Every size and training knob of Smitin's small default model (<c>models/smitin-synth-small</c>). One record owns
/// the defaults; <see cref="ToConfigJson"/> turns the sizes into the Hugging Face <c>config.json</c> that
/// <see cref="MusicGen.Load"/> reads, so the trainer builds its modules from the same <see cref="MusicGenConfig"/>
/// the inference code uses.
///
/// Sizes were chosen for a 2-core CPU (see docs/training.md): a 16 kHz codec with hop 320 (50 Hz) and 4 codebooks
/// of 1024 codes (a bigger first codebook carries more of the drum signal, ../shared/docs/prototype-notes.md §8),
/// a 4-layer d256 decoder with 8 heads of 32, and a 2-layer d64 T5 trained jointly.
/// </summary>
public sealed record SynthModelConfig
{
    // ---- data ----
    /// <summary>Training songs rendered by the synthetic generator (seed <see cref="DataSeed"/>).</summary>
    public int Songs { get; init; } = 480;
    public double SongSeconds { get; init; } = 15;
    public int DataSeed { get; init; } = 11;
    /// <summary>Held-out songs (their own seed) for codec/LM figures; never trained on.</summary>
    public int HeldOutSongs { get; init; } = 100;
    public int HeldOutSeed { get; init; } = 12;

    // ---- codec (EnCodec architecture) ----
    public int SampleRate { get; init; } = 16000;
    public int NumFilters { get; init; } = 16;
    public int LatentDim { get; init; } = 64;
    public int CodebookSize { get; init; } = 1024;
    public int[] UpsamplingRatios { get; init; } = [8, 5, 4, 2];
    public double TargetBandwidth { get; init; } = 2.2; // floor(1000 * 2.2 / (50 * 10)) = 4 codebooks
    public int NumLstmLayers { get; init; } = 1;
    public int CodecSteps { get; init; } = 1200;
    /// <summary>Steps trained as a plain autoencoder before the codebooks are initialised by k-means.</summary>
    public int CodecWarmupSteps { get; init; } = 0;
    public int CodecBatch { get; init; } = 10;
    public double CodecSegmentSeconds { get; init; } = 1.0;
    public double CodecLearningRate { get; init; } = 1e-3;
    public double CommitmentWeight { get; init; } = 0.25;
    public double WaveformL1Weight { get; init; } = 0.1;
    public double EmaDecay { get; init; } = 0.95;
    /// <summary>A code whose EMA usage falls below this count is restarted from a random batch vector.</summary>
    public double DeadCodeThreshold { get; init; } = 0.15;

    // ---- text encoder (T5, trained jointly) ----
    public int TextVocabSize { get; init; } = 200;
    public int TextDModel { get; init; } = 64;
    public int TextLayers { get; init; } = 2;
    public int TextHeads { get; init; } = 4;
    public int TextDKv { get; init; } = 16;
    public int TextDFf { get; init; } = 128;

    // ---- decoder LM ----
    public int Hidden { get; init; } = 256;
    public int Layers { get; init; } = 4;
    public int Heads { get; init; } = 8;
    public int Ffn { get; init; } = 768;
    public int MaxPositions { get; init; } = 512;
    public int LmSteps { get; init; } = 2500;
    public int LmBatch { get; init; } = 10;
    public double LmWindowSeconds { get; init; } = 5.0;
    public double LmLearningRate { get; init; } = 1e-3;
    public int LmWarmupSteps { get; init; } = 100;
    /// <summary>Share of training rows whose text is dropped (classifier-free guidance; audiocraft uses 0.1–0.3).</summary>
    public double TextDropout { get; init; } = 0.3;
    /// <summary>
    /// Share of training rows, drawn among those that keep their text, whose description is replaced by the empty
    /// text "" (T5 of the end-of-sequence token alone, what the product encodes for a request without text: HF's
    /// processor does the same), so that "" means "no particular music" to the model and not an unseen condition that
    /// classifier-free guidance amplifies. 0 draws nothing (the batches of runs before the option existed, e.g. the
    /// second session's model); 0.15 (about 10 % of all rows) since the fifth session: continuing drum-less prompts with
    /// "" then added drums to 20 % (1000-step LM) and 36 % (2500-step LM) instead of 100 % (model card).
    /// </summary>
    public double EmptyText { get; init; } = 0.15;
    /// <summary>
    /// Share of the LM's input codes (context, never targets) replaced by uniformly random codes in training, so that
    /// a stray code sampled during generation is not read as evidence (e.g. of drums) and the text keeps its weight.
    /// 0 draws nothing (the batches of earlier runs); 0.15 since the seventh session (model card, docs/training.md).
    /// </summary>
    public double InputNoise { get; init; } = 0.15;

    // ---- matched-pair fine-tuning (MatchedPairTuner; 0 steps skips the stage) ----
    /// <summary>Steps of the <c>pairs</c> stage after the LM stage.</summary>
    public int PairSteps { get; init; } = 0;
    /// <summary>Matched pairs per step (each gives 5 rows: 4 text/audio combinations and one unconditional).</summary>
    public int PairBatch { get; init; } = 3;
    /// <summary>Weight of the matched-text classification term against the cross-entropy.</summary>
    public double PairWeight { get; init; } = 1.0;
    public double PairLearningRate { get; init; } = 1e-4;
    /// <summary>Decoder positions (delay-pattern steps) at a window's start over which the pair margin is summed.</summary>
    public int PairFrames { get; init; } = 50;
    /// <summary>The stems whose matched pairs (mix with and without it) are used.</summary>
    public string[] PairStems { get; init; } = ["drums", "bass"];

    // ---- both ----
    public int Seed { get; init; } = 1234;
    /// <summary>Minutes between checkpoints of a running stage.</summary>
    public double CheckpointMinutes { get; init; } = 3;
    public int Threads { get; init; } = Math.Max(1, Environment.ProcessorCount);

    public int HopLength => UpsamplingRatios.Aggregate(1, (a, b) => a * b);
    public double FrameRate => Math.Ceiling((double)SampleRate / HopLength);

    /// <summary>Checks every value once; the message names the field.</summary>
    /// <exception cref="SmitinException">a field is out of range.</exception>
    public void Validate()
    {
        void Positive(string name, double v) { if (!(v > 0) || double.IsInfinity(v)) throw new SmitinException($"training config: {name} must be > 0 and finite, got {v}"); }
        Positive(nameof(Songs), Songs); Positive(nameof(SongSeconds), SongSeconds); Positive(nameof(HeldOutSongs), HeldOutSongs);
        Positive(nameof(CodecSteps), CodecSteps); Positive(nameof(CodecBatch), CodecBatch); Positive(nameof(LmSteps), LmSteps);
        Positive(nameof(LmBatch), LmBatch); Positive(nameof(CodecLearningRate), CodecLearningRate); Positive(nameof(LmLearningRate), LmLearningRate);
        Positive(nameof(CodecSegmentSeconds), CodecSegmentSeconds); Positive(nameof(LmWindowSeconds), LmWindowSeconds);
        if (CodecWarmupSteps < 0 || CodecWarmupSteps >= CodecSteps) throw new SmitinException($"training config: {nameof(CodecWarmupSteps)} must be in [0, {nameof(CodecSteps)}), got {CodecWarmupSteps}");
        if (Hidden % Heads != 0) throw new SmitinException($"training config: {nameof(Hidden)} {Hidden} is not divisible by {nameof(Heads)} {Heads}");
        if (PairSteps < 0) throw new SmitinException($"training config: {nameof(PairSteps)} must be >= 0, got {PairSteps}");
        // checked even while the stage is off (PairSteps 0): a bad value in a config file is an error either way
        Positive(nameof(PairBatch), PairBatch); Positive(nameof(PairLearningRate), PairLearningRate); Positive(nameof(PairFrames), PairFrames);
        if (!(PairWeight >= 0) || double.IsInfinity(PairWeight)) throw new SmitinException($"training config: {nameof(PairWeight)} must be >= 0 and finite, got {PairWeight}");
        if (PairStems is null || PairStems.Length == 0 || PairStems.Any(s => !Data.Synth.SynthStems.All.Contains(s)))
            throw new SmitinException($"training config: {nameof(PairStems)} must name stems of the generator ({string.Join(", ", Data.Synth.SynthStems.All)}), got [{string.Join(", ", PairStems ?? [])}]");
        if (!(EmptyText is >= 0 and < 1)) throw new SmitinException($"training config: {nameof(EmptyText)} must be in [0, 1), got {EmptyText}");
        if (!(InputNoise is >= 0 and < 1)) throw new SmitinException($"training config: {nameof(InputNoise)} must be in [0, 1), got {InputNoise}");
        if (!(TextDropout is >= 0 and < 1)) throw new SmitinException($"training config: {nameof(TextDropout)} must be in [0, 1), got {TextDropout}");
        if (!(EmaDecay is > 0 and < 1)) throw new SmitinException($"training config: {nameof(EmaDecay)} must be in (0, 1), got {EmaDecay}");
        int framesPerWindow = (int)Math.Round(LmWindowSeconds * FrameRate);
        if (framesPerWindow + 4 > MaxPositions) throw new SmitinException($"training config: {nameof(LmWindowSeconds)} {LmWindowSeconds} s = {framesPerWindow} frames does not fit {nameof(MaxPositions)} {MaxPositions}");
    }

    /// <summary>The Hugging Face <c>config.json</c> of the model (MusicgenForConditionalGeneration layout).</summary>
    public JsonObject ToConfigJson(int textVocabSize) => new()
    {
        ["architectures"] = new JsonArray("MusicgenForConditionalGeneration"),
        ["model_type"] = "musicgen",
        ["is_encoder_decoder"] = true,
        ["torch_dtype"] = "float32",
        ["text_encoder"] = new JsonObject
        {
            ["model_type"] = "t5", ["vocab_size"] = textVocabSize, ["d_model"] = TextDModel, ["d_kv"] = TextDKv,
            ["d_ff"] = TextDFf, ["num_layers"] = TextLayers, ["num_heads"] = TextHeads,
            ["relative_attention_num_buckets"] = 32, ["relative_attention_max_distance"] = 128,
            ["layer_norm_epsilon"] = 1e-6, ["feed_forward_proj"] = "relu", ["dense_act_fn"] = "relu", ["is_gated_act"] = false,
            ["pad_token_id"] = 0, ["eos_token_id"] = 1,
        },
        ["audio_encoder"] = new JsonObject
        {
            ["model_type"] = "encodec", ["sampling_rate"] = SampleRate, ["audio_channels"] = 1, ["num_filters"] = NumFilters,
            ["hidden_size"] = LatentDim, ["codebook_dim"] = LatentDim, ["codebook_size"] = CodebookSize,
            ["upsampling_ratios"] = new JsonArray(UpsamplingRatios.Select(r => (JsonNode)r).ToArray()),
            ["target_bandwidths"] = new JsonArray(TargetBandwidth), ["num_lstm_layers"] = NumLstmLayers,
            ["num_residual_layers"] = 1, ["kernel_size"] = 7, ["last_kernel_size"] = 7, ["residual_kernel_size"] = 3,
            ["dilation_growth_rate"] = 2, ["compress"] = 2, ["use_causal_conv"] = false, ["pad_mode"] = "reflect",
            ["norm_type"] = "weight_norm", ["normalize"] = false, ["use_conv_shortcut"] = false, ["trim_right_ratio"] = 1.0,
            ["chunk_length_s"] = null, ["overlap"] = null,
        },
        ["decoder"] = new JsonObject
        {
            ["model_type"] = "musicgen_decoder", ["vocab_size"] = CodebookSize, ["hidden_size"] = Hidden,
            ["num_hidden_layers"] = Layers, ["num_attention_heads"] = Heads, ["ffn_dim"] = Ffn, ["num_codebooks"] = 4,
            ["audio_channels"] = 1, ["max_position_embeddings"] = MaxPositions, ["activation_function"] = "gelu",
            ["scale_embedding"] = false, ["pad_token_id"] = CodebookSize, ["bos_token_id"] = CodebookSize,
            ["dropout"] = 0.0, ["attention_dropout"] = 0.0, ["activation_dropout"] = 0.0, ["layerdrop"] = 0.0,
            ["tie_word_embeddings"] = false,
        },
    };

    /// <summary>The same configuration as <see cref="MusicGenConfig"/> (parsed through the engine's own reader).</summary>
    public MusicGenConfig ToMusicGenConfig(int textVocabSize)
    {
        string dir = Directory.CreateTempSubdirectory("smitin-cfg-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "config.json"), ToConfigJson(textVocabSize).ToJsonString());
            return MusicGenConfig.Load(dir);
        }
        finally { Directory.Delete(dir, true); }
    }

    public static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public static SynthModelConfig FromFile(string path)
    {
        try { return JsonSerializer.Deserialize<SynthModelConfig>(File.ReadAllText(path), Json) ?? throw new SmitinException($"{path}: empty training config"); }
        catch (JsonException e) { throw new SmitinException($"{path}: not a valid training config: {e.Message}", e); }
    }
}
