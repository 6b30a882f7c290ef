using System.Text.Json;
using Smitin.Models.Melody;

namespace Smitin.Models;

/// <summary>T5 encoder hyper-parameters (<c>config.json</c> → <c>text_encoder</c>).</summary>
public sealed record T5Config(
    int VocabSize, int DModel, int DKv, int DFf, int NumLayers, int NumHeads,
    int RelativeAttentionNumBuckets, int RelativeAttentionMaxDistance, double LayerNormEpsilon,
    string DenseActFn, bool IsGatedAct)
{
    /// <summary>Width of the attention projections: heads × d_kv.</summary>
    public int InnerDim => NumHeads * DKv;

    internal static T5Config Read(ConfigReader c)
    {
        string ffProj = c.String("feed_forward_proj", "relu");
        bool gated = c.Bool("is_gated_act", ffProj.StartsWith("gated-", StringComparison.Ordinal));
        string act = c.String("dense_act_fn", gated ? ffProj["gated-".Length..] : ffProj);
        return new T5Config(c.Int("vocab_size"), c.Int("d_model"), c.Int("d_kv"), c.Int("d_ff"), c.Int("num_layers"),
            c.Int("num_heads"), c.Int("relative_attention_num_buckets", 32), c.Int("relative_attention_max_distance", 128),
            c.Double("layer_norm_epsilon", 1e-6), act, gated);
    }
}

/// <summary>EnCodec hyper-parameters (<c>config.json</c> → <c>audio_encoder</c>).</summary>
public sealed record EncodecConfig(
    int SamplingRate, int AudioChannels, int NumFilters, int HiddenSize, int CodebookDim, int CodebookSize,
    int[] UpsamplingRatios, double[] TargetBandwidths, int NumLstmLayers, int NumResidualLayers,
    int KernelSize, int LastKernelSize, int ResidualKernelSize, int DilationGrowthRate, int Compress,
    bool UseCausalConv, string PadMode, string NormType, bool Normalize, bool UseConvShortcut, double? ChunkLengthS)
{
    /// <summary>Samples per frame (product of the upsampling ratios).</summary>
    public int HopLength => UpsamplingRatios.Aggregate(1, (a, b) => a * b);
    /// <summary>Code frames per second: ceil(sampling_rate / hop_length).</summary>
    public double FrameRate => Math.Ceiling((double)SamplingRate / HopLength);
    /// <summary>Quantizer layers built: <c>int(1000 * target_bandwidths[-1] // (frame_rate * 10))</c> (reference).</summary>
    public int NumQuantizers => TargetBandwidths.Length == 0 ? 0 : (int)Math.Floor(1000 * TargetBandwidths[^1] / (FrameRate * 10));
    /// <summary>Share of a causal ConvTranspose's fixed padding trimmed on the right (<c>trim_right_ratio</c>, default 1.0).</summary>
    public double TrimRightRatio { get; init; } = 1.0;

    internal static EncodecConfig Read(ConfigReader c) => new(
        c.Int("sampling_rate"), c.Int("audio_channels", 1), c.Int("num_filters"), c.Int("hidden_size"),
        c.Int("codebook_dim", c.Int("hidden_size")), c.Int("codebook_size"), c.IntArray("upsampling_ratios"),
        c.DoubleArray("target_bandwidths"), c.Int("num_lstm_layers", 2), c.Int("num_residual_layers", 1),
        c.Int("kernel_size", 7), c.Int("last_kernel_size", 7), c.Int("residual_kernel_size", 3),
        c.Int("dilation_growth_rate", 2), c.Int("compress", 2), c.Bool("use_causal_conv", true),
        c.String("pad_mode", "reflect"), c.String("norm_type", "weight_norm"), c.Bool("normalize", false),
        c.Bool("use_conv_shortcut", true), c.Has("chunk_length_s") ? c.Double("chunk_length_s") : null)
    {
        TrimRightRatio = c.Double("trim_right_ratio", 1.0),
    };
}

/// <summary>MusicGen decoder hyper-parameters (<c>config.json</c> → <c>decoder</c>).</summary>
public sealed record DecoderConfig(
    int VocabSize, int HiddenSize, int NumHiddenLayers, int NumAttentionHeads, int FfnDim, int NumCodebooks,
    int AudioChannels, int MaxPositionEmbeddings, string ActivationFunction, bool ScaleEmbedding,
    int PadTokenId, int BosTokenId)
{
    /// <summary>Head size D = hidden_size / num_attention_heads.</summary>
    public int HeadDim => HiddenSize / NumAttentionHeads;

    /// <summary>
    /// True for the plain MusicGen decoder (<c>model_type: musicgen_decoder</c>), whose layers cross-attend to the text;
    /// false for the MusicGen Melody decoder (<c>musicgen_melody_decoder</c>): its layers have no <c>encoder_attn</c>
    /// and the conditioning is a prefix of the self-attention sequence.
    /// </summary>
    public bool HasCrossAttention { get; init; } = true;

    internal static DecoderConfig Read(ConfigReader c)
    {
        var d = new DecoderConfig(c.Int("vocab_size"), c.Int("hidden_size"), c.Int("num_hidden_layers"),
            c.Int("num_attention_heads"), c.Int("ffn_dim"), c.Int("num_codebooks"), c.Int("audio_channels", 1),
            c.Int("max_position_embeddings"), c.String("activation_function", "gelu"), c.Bool("scale_embedding", false),
            c.Int("pad_token_id", c.Int("vocab_size")), c.Int("bos_token_id", c.Int("vocab_size")))
        {
            HasCrossAttention = c.String("model_type", "musicgen_decoder") != "musicgen_melody_decoder",
        };
        if (d.HiddenSize % d.NumAttentionHeads != 0)
            throw new SmitinException($"config.json: decoder.hidden_size {d.HiddenSize} is not divisible by decoder.num_attention_heads {d.NumAttentionHeads}");
        if (d.ScaleEmbedding)
            throw new SmitinException("config.json: decoder.scale_embedding is true: scaling the decoder's token embeddings by sqrt(hidden_size) is not implemented " +
                "(every MusicGen checkpoint has false); refusing to load rather than generate wrongly");
        if (d.AudioChannels is not (1 or 2))
            throw new SmitinException($"config.json: decoder.audio_channels {d.AudioChannels} is not supported (expected 1 or 2)");
        return d;
    }
}

/// <summary>
/// MusicGen Melody's conditioning sizes (<c>MusicgenMelodyConfig</c>: top-level <c>num_chroma</c>, <c>chroma_length</c>)
/// and its chroma feature extractor (<c>preprocessor_config.json</c>).
/// </summary>
/// <param name="NumChroma">chroma bins per frame (12), the input width of <c>audio_enc_to_dec_proj</c></param>
/// <param name="ChromaLength">chroma rows of the conditioning prefix: fewer frames are tiled, more are cut (235 = 30 s in the released checkpoints)</param>
/// <param name="FeatureExtractor">the STFT chroma settings</param>
public sealed record MelodyConfig(int NumChroma, int ChromaLength, ChromaConfig FeatureExtractor);

/// <summary>
/// A MusicGen checkpoint's configuration, read from the Hugging Face <c>config.json</c>
/// (<c>MusicgenConfig</c>: <c>text_encoder</c>, <c>audio_encoder</c>, <c>decoder</c>; <c>MusicgenMelodyConfig</c> adds
/// <c>num_chroma</c>, <c>chroma_length</c> and a <c>preprocessor_config.json</c>). Every size comes from here.
/// </summary>
public sealed record MusicGenConfig(T5Config TextEncoder, EncodecConfig AudioEncoder, DecoderConfig Decoder,
    int DecoderStartTokenId, double GuidanceScale)
{
    /// <summary><c>model_type</c> of config.json: <c>musicgen</c> or <c>musicgen_melody</c>.</summary>
    public string ModelType { get; init; } = "musicgen";

    /// <summary>The melody conditioning (chroma prefix), or null for plain MusicGen (text cross-attention).</summary>
    public MelodyConfig? Melody { get; init; }

    /// <summary>True for a MusicGen Melody checkpoint (chroma conditioning, no cross-attention).</summary>
    public bool IsMelody => Melody is not null;

    /// <summary>Reads <c>config.json</c> (and, for MusicGen Melody, <c>preprocessor_config.json</c>) and
    /// <c>generation_config.json</c> when present: every field is used or refused by name.</summary>
    /// <param name="folder">a Hugging Face model folder</param>
    /// <exception cref="SmitinException">a file is missing or malformed, a field is missing, out of range or not
    /// supported (the message names the file and the field)</exception>
    public static MusicGenConfig Load(string folder)
    {
        string file = Path.Combine(folder, "config.json");
        if (!File.Exists(file)) throw new SmitinException($"config.json not found in model folder {folder}");
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(file));
            string modelType = ModelArchitecture.Check(doc.RootElement, file);      // before any size is read
            var root = new ConfigReader(doc.RootElement, file, "");
            var dec = DecoderConfig.Read(root.Section("decoder"));
            bool melody = modelType == "musicgen_melody";
            if (dec.HasCrossAttention == melody)
                throw new SmitinException($"{file}: model_type '{modelType}' needs decoder.model_type '{(melody ? "musicgen_melody_decoder" : "musicgen_decoder")}'");
            var cfg = new MusicGenConfig(T5Config.Read(root.Section("text_encoder")), EncodecConfig.Read(root.Section("audio_encoder")),
                dec, dec.BosTokenId, Generation.GenerationOptions.DefaultGuidanceScale)
            {
                ModelType = modelType,
                Melody = melody ? new MelodyConfig(root.Int("num_chroma", 12), root.Int("chroma_length", 235), ChromaConfig.Load(folder)) : null,
            };
            if (cfg.Melody is { } m && (m.NumChroma <= 0 || m.ChromaLength <= 0))
                throw new SmitinException($"{file}: num_chroma {m.NumChroma} and chroma_length {m.ChromaLength} must be > 0");
            if (cfg.Melody is { } m1 && m1.ChromaLength + 1 + dec.NumCodebooks >= dec.MaxPositionEmbeddings)
                throw new SmitinException($"{file}: chroma_length {m1.ChromaLength} leaves too few decoder positions for text and codes (decoder.max_position_embeddings {dec.MaxPositionEmbeddings})");
            if (cfg.Melody is { } m2 && m2.NumChroma != m2.FeatureExtractor.FeatureSize)
                throw new SmitinException($"{file}: num_chroma {m2.NumChroma} differs from preprocessor_config.json feature_size {m2.FeatureExtractor.FeatureSize}");

            string gen = Path.Combine(folder, "generation_config.json");
            if (File.Exists(gen))
            {
                using var g = JsonDocument.Parse(File.ReadAllBytes(gen));
                var gr = new ConfigReader(g.RootElement, gen, "");
                cfg = cfg with
                {
                    DecoderStartTokenId = gr.Int("decoder_start_token_id", cfg.DecoderStartTokenId),
                    GuidanceScale = gr.Double("guidance_scale", cfg.GuidanceScale),
                };
            }
            return cfg;
        }
        catch (JsonException e)
        {
            throw new SmitinException($"{file}: not valid JSON: {e.Message}", e);
        }
    }

    /// <summary>One line per part, for the load log.</summary>
    public IEnumerable<string> Describe()
    {
        var t = TextEncoder; var a = AudioEncoder; var d = Decoder;
        yield return $"text_encoder: t5 vocab={t.VocabSize} d_model={t.DModel} layers={t.NumLayers} heads={t.NumHeads} d_kv={t.DKv} d_ff={t.DFf} act={(t.IsGatedAct ? "gated-" : "")}{t.DenseActFn} buckets={t.RelativeAttentionNumBuckets}/{t.RelativeAttentionMaxDistance}";
        yield return $"audio_encoder: encodec sr={a.SamplingRate} channels={a.AudioChannels} hop={a.HopLength} frame_rate={a.FrameRate} filters={a.NumFilters} hidden={a.HiddenSize} codebooks={a.NumQuantizers}x{a.CodebookSize} ratios=[{string.Join(",", a.UpsamplingRatios)}] lstm={a.NumLstmLayers} causal={a.UseCausalConv} pad={a.PadMode}";
        if (Melody is { } m)
            yield return $"melody: chroma {m.NumChroma} bins, prefix {m.ChromaLength} frames; extractor sr={m.FeatureExtractor.SamplingRate} n_fft={m.FeatureExtractor.NFft} hop={m.FeatureExtractor.HopLength} chunk={m.FeatureExtractor.ChunkLengthSeconds} s";
        yield return $"decoder: {(Decoder.HasCrossAttention ? "musicgen" : "musicgen_melody (prefix, no cross-attention)")} layers={d.NumHiddenLayers} hidden={d.HiddenSize} heads={d.NumAttentionHeads} head_dim={d.HeadDim} ffn={d.FfnDim} codebooks={d.NumCodebooks} vocab={d.VocabSize} audio_channels={d.AudioChannels} max_pos={d.MaxPositionEmbeddings} act={d.ActivationFunction}";
    }
}
