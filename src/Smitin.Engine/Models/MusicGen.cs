using Smitin.IO;
using TorchSharp;
using static TorchSharp.torch;

namespace Smitin.Models;

/// <summary>Options for <see cref="MusicGen.Load"/>.</summary>
public sealed record MusicGenLoadOptions
{
    /// <summary><c>cpu</c> (default) or <c>cuda</c> / <c>cuda:N</c>; needs a CUDA libtorch package (see README).</summary>
    public string Device { get; init; } = "cpu";
    /// <summary>Receives the load log (hyper-parameters, timings). Defaults to stderr.</summary>
    public Action<string>? Log { get; init; }
    /// <summary>
    /// Kernel of the decoder's few-row products (a decode step): <c>auto</c> (default) measures the candidates on this
    /// CPU once and caches the choice per CPU model; <c>linear</c>, <c>wxt</c> or <c>mv</c> force one (see
    /// <see cref="Decoder.DecodeKernelSelector"/>). When <c>auto</c>, the environment variable
    /// <c>SMITIN_DECODE_KERNEL</c> may force one instead.
    /// </summary>
    public string DecodeKernel { get; init; } = "auto";
    /// <summary>
    /// Storage type of the decoder's weight matrices (every <see cref="Decoder.DecoderLinear"/>: attention
    /// projections, FFN, LM heads): <c>float32</c> (default, the reference's numerics) or <c>bfloat16</c> (half the
    /// bytes a decode step reads; the products run in bfloat16 with libtorch's float32 accumulation and return
    /// float32; embeddings, norms, softmax, guidance and sampling stay float32). Option name <c>dtype</c>.
    /// </summary>
    public string DType { get; init; } = "float32";

    /// <exception cref="OptionException">an unknown <see cref="DecodeKernel"/> name (option <c>decode-kernel</c>)</exception>
    public void Validate()
    {
        try { Decoder.DecodeKernels.Parse(DecodeKernel, "decode-kernel"); }
        catch (SmitinException) { throw new OptionException("decode-kernel", $"unknown kernel '{DecodeKernel}'; expected {Decoder.DecodeKernels.Accepted}"); }
        if (DType is not ("float32" or "bfloat16"))
            throw new OptionException("dtype", $"unknown weight type '{DType}'; expected float32 or bfloat16");
    }

    /// <summary>The weight matrices' scalar type for <see cref="DType"/>.</summary>
    public ScalarType WeightType => DType == "bfloat16" ? ScalarType.BFloat16 : ScalarType.Float32;
}

/// <summary>
/// A MusicGen checkpoint in the Hugging Face layout (<c>MusicgenForConditionalGeneration</c>): T5 text encoder +
/// <c>enc_to_dec_proj</c>, EnCodec, and the decoder LM; or a MusicGen Melody checkpoint
/// (<c>MusicgenMelodyForConditionalGeneration</c>, <c>model_type: musicgen_melody</c>): the same parts with a decoder
/// without cross-attention, plus the chroma extractor and <c>audio_enc_to_dec_proj</c>. Any HF-layout folder is a
/// model; the architecture and every size are read from its <c>config.json</c> (and <c>preprocessor_config.json</c>).
/// The parts are loaded in partial files (MusicGen.Text.cs, MusicGen.Codec.cs, MusicGen.Decoder.cs,
/// MusicGen.Melody.cs); this file opens the checkpoint, logs the hyper-parameters and refuses tensors that no part
/// consumed.
/// </summary>
public sealed partial class MusicGen : IDisposable
{
    /// <summary>Checkpoint keys present in real checkpoints that inference never uses (EMA training buffers).</summary>
    static readonly string[] UnusedSuffixes = [".embed_avg", ".cluster_size", ".inited"];

    /// <summary>The model folder (absolute).</summary>
    public string Folder { get; }
    /// <summary>Every size and setting, read from <c>config.json</c> (and <c>generation_config.json</c>,
    /// <c>preprocessor_config.json</c>).</summary>
    public MusicGenConfig Config { get; }
    /// <summary>Where the weights live (<c>cpu</c> unless <see cref="MusicGenLoadOptions.Device"/> says
    /// otherwise).</summary>
    public Device Device { get; }
    /// <summary>Short identity of the checkpoint (hash of every byte of config.json and the weight files the loader
    /// reads; see <see cref="ModelIdentity"/>), for caches and probe sets.</summary>
    public string Identity { get; private set; } = "";
    /// <summary>First 16 hex digits of SHA-256 over <c>config.json</c> as loaded (<see cref="Probing.ProbeModelIdentity.ConfigHash"/>).</summary>
    public string ConfigHash { get; private set; } = "";

    MusicGen(string folder, MusicGenConfig config, Device device)
    {
        Folder = folder; Config = config; Device = device;
    }

    /// <summary>
    /// Loads a MusicGen checkpoint in the Hugging Face layout (reference:
    /// <c>MusicgenForConditionalGeneration.from_pretrained</c>): reads <c>config.json</c>, logs every hyper-parameter,
    /// builds the parts the config names and loads their weights from <c>model.safetensors</c> (or its shards),
    /// checking every tensor's name and shape. Nothing is downloaded: for a hub id (<c>owner/name[@revision]</c>) use
    /// <see cref="LoadAsync"/>.
    /// </summary>
    /// <param name="folder">a folder with <c>config.json</c>, <c>model.safetensors</c> (or an index and shards),
    /// <c>spiece.model</c> and the tokenizer files</param>
    /// <param name="options">device and load log; null = CPU, log to stderr</param>
    /// <returns>the model in eval mode, gradients off; dispose it to free its native memory</returns>
    /// <exception cref="SmitinException">the folder or a file is missing; a config field is missing, out of range or
    /// unsupported (named); a tensor is missing, has the wrong shape or dtype, or is unknown (named, with got/expected
    /// shapes); the device is unknown or CUDA is unavailable</exception>
    public static MusicGen Load(string folder, MusicGenLoadOptions? options = null)
    {
        options ??= new MusicGenLoadOptions();
        options.Validate();
        var log = options.Log ?? (s => Console.Error.WriteLine(s));
        Native.TorchRuntime.Ensure();
        var sw = System.Diagnostics.Stopwatch.StartNew();
        folder = Path.GetFullPath(folder);
        if (!Directory.Exists(folder)) throw new SmitinException($"model folder not found: {folder}");
        var config = MusicGenConfig.Load(folder);
        var device = ParseDevice(options.Device);
        log($"musicgen: loading {folder} on {device}");
        foreach (var line in config.Describe()) log("  " + line);

        var model = new MusicGen(folder, config, device);
        // The weights must outlive any dispose scope the caller has open: the parts are built inside a scope of our
        // own, and what is still alive once loading succeeded (their parameters and buffers) is detached from it.
        var weightsScope = torch.NewDisposeScope();
        try
        {
            using var ckpt = Checkpoint.Open(folder);
            ModelArchitecture.CheckWeights(ckpt, folder, config.IsMelody);
            model.Identity = ModelIdentity.Compute(folder, ckpt);
            model.ConfigHash = Probing.ProbeModelIdentity.ConfigHashOf(folder);
            using (torch.no_grad())
            {
                model.LoadText(ckpt);
                model.LoadCodec(ckpt);
                model.LoadDecoder(ckpt);
                model.LoadMelody(ckpt);
            }
            foreach (var k in ckpt.Keys.Where(k => UnusedSuffixes.Any(s => k.EndsWith(s, StringComparison.Ordinal)))) ckpt.MarkUsed(k);
            var unexpected = ckpt.UnusedKeys.OrderBy(k => k, StringComparer.Ordinal).ToList();
            if (unexpected.Count > 0)
                throw new SmitinException($"{folder}: unknown tensor '{unexpected[0]}' in checkpoint" +
                    (unexpected.Count > 1 ? $" (and {unexpected.Count - 1} more: {string.Join(", ", unexpected.Skip(1).Take(5))}{(unexpected.Count > 6 ? ", ..." : "")})" : ""));
            model.MoveTo(device);
            weightsScope.Detach(weightsScope.DisposablesView.ToList());
        }
        catch
        {
            model.Dispose();
            throw;
        }
        finally
        {
            weightsScope.Dispose(); // on failure this also frees whatever a part had built
        }
        if (options.WeightType != ScalarType.Float32)
        {
            long bytes = model.Decoder.UseWeightType(options.WeightType);
            log($"musicgen: decoder weight matrices stored as {options.DType} ({bytes / 1e6:F0} MB){(Native.CpuIdentity.HasFlag("avx512_bf16") || Native.CpuIdentity.HasFlag("amx_bf16") ? "" : "; this CPU reports neither avx512_bf16 nor amx_bf16: bfloat16 products are emulated and may be slower than float32")}");
        }
        log($"musicgen: loaded in {sw.Elapsed.TotalSeconds:F1} s (identity {model.Identity})");
        model.ChooseDecodeKernel(options, log);
        return model;
    }

    static Device ParseDevice(string text)
    {
        try
        {
            var d = torch.device(text);
            if (d.type == DeviceType.CUDA && !torch.cuda.is_available())
                throw new SmitinException($"device '{text}' requested but CUDA is not available: this build uses the CPU libtorch (see README, 'GPU')");
            return d;
        }
        catch (Exception e) when (e is not SmitinException)
        {
            throw new SmitinException($"unknown device '{text}' (expected cpu, cuda or cuda:N)", e);
        }
    }

    partial void LoadText(Checkpoint ckpt);
    partial void LoadCodec(Checkpoint ckpt);
    partial void LoadDecoder(Checkpoint ckpt);
    partial void LoadMelody(Checkpoint ckpt);
    // One move/dispose hook per part, so each part's partial file implements its own (a partial method without
    // an access modifier can have only one implementation).
    partial void MoveText(Device device);
    partial void MoveCodec(Device device);
    partial void MoveDecoder(Device device);
    partial void MoveMelody(Device device);
    partial void DisposeText();
    partial void DisposeCodec();
    partial void DisposeDecoder();
    partial void DisposeMelody();

    void MoveTo(Device device)
    {
        if (device.type == DeviceType.CPU) return;
        MoveText(device);
        MoveCodec(device);
        MoveDecoder(device);
        MoveMelody(device);
    }

    /// <summary>Frees every part's native memory (weights, buffers, caches).</summary>
    public void Dispose()
    {
        DisposeMelody();
        DisposeDecoder();
        DisposeCodec();
        DisposeText();
    }
}
