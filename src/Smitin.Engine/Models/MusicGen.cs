using Smitin.IO;
using Smitin.Models.Decoder;
using Smitin.Models.Text;
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
    /// <summary>The parts to build (default all). E.g. <see cref="MusicGenParts.Codec"/> alone to encode or decode audio;
    /// the weights of the other parts are still checked and hashed, not built.</summary>
    public MusicGenParts Parts { get; init; } = MusicGenParts.All;
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
/// The model is composed of its parts, each built by its own type's loader (<see cref="TextConditioner"/>,
/// <see cref="Smitin.Models.Codec.EncodecModel"/>, <see cref="Smitin.Models.Decoder.MusicGenLm"/>,
/// <see cref="Smitin.Models.Melody.MelodyConditioner"/>); the partial files (MusicGen.Text.cs, MusicGen.Codec.cs, MusicGen.Decoder.cs, MusicGen.Melody.cs) hold what the model
/// does with each part. This file opens the checkpoint, logs the hyper-parameters, builds the parts and refuses
/// tensors that no part consumed. A part left out at load (<see cref="MusicGenLoadOptions.Parts"/>) fails with an
/// error naming it when used; after <see cref="Dispose"/> every part fails with <see cref="ObjectDisposedException"/>.
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

    /// <summary>The parts built at load (<see cref="MusicGenLoadOptions.Parts"/>).</summary>
    public MusicGenParts Parts { get; }

    bool _disposed;

    MusicGen(string folder, MusicGenConfig config, Device device, MusicGenParts parts)
    {
        Folder = folder; Config = config; Device = device; Parts = parts;
    }

    /// <summary>Checkpoint key prefixes each part consumes (those of a part left out are skipped, not refused).</summary>
    static readonly (MusicGenParts Part, string[] Prefixes)[] PartKeys =
    [
        (MusicGenParts.Text, ["text_encoder.", "enc_to_dec_proj.", "audio_enc_to_dec_proj."]),
        (MusicGenParts.Codec, ["audio_encoder."]),
        (MusicGenParts.Decoder, ["decoder."]),
    ];

    /// <summary>
    /// Loads a MusicGen checkpoint in the Hugging Face layout (reference:
    /// <c>MusicgenForConditionalGeneration.from_pretrained</c>): reads <c>config.json</c>, logs every hyper-parameter,
    /// builds the parts the config names and loads their weights from <c>model.safetensors</c> (or its shards),
    /// checking every tensor's name and shape. Nothing is downloaded: for a hub id (<c>owner/name[@revision]</c>) use
    /// <see cref="LoadAsync"/>.
    /// </summary>
    /// <param name="folder">a folder with <c>config.json</c>, <c>model.safetensors</c> (or an index and shards),
    /// <c>spiece.model</c> and the tokenizer files</param>
    /// <param name="options">device, load log and the parts to build (<see cref="MusicGenLoadOptions.Parts"/>); null = CPU,
    /// log to stderr, every part</param>
    /// <returns>the model in eval mode, gradients off; dispose it to free its native memory</returns>
    /// <exception cref="SmitinException">the folder or a file is missing; a config field is missing, out of range or
    /// unsupported (named); a tensor is missing, has the wrong shape or dtype, or is unknown (named, with got/expected
    /// shapes); the device is unknown or CUDA is unavailable; no part was asked for</exception>
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

        var parts = options.Parts & MusicGenParts.All;
        if (parts == 0) throw new SmitinException($"MusicGenLoadOptions.Parts = {options.Parts}: expected at least one of Text, Codec, Decoder");
        var model = new MusicGen(folder, config, device, parts);
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
                if (parts.HasFlag(MusicGenParts.Text))
                {
                    model._text = model.LoadText(ckpt);
                    (model._melody, model._chroma) = LoadMelody(ckpt, config);
                }
                if (parts.HasFlag(MusicGenParts.Codec)) model._codec = LoadCodec(ckpt, config);
                if (parts.HasFlag(MusicGenParts.Decoder)) model._decoder = MusicGenLm.Load(ckpt, config.Decoder);
            }
            foreach (var k in ckpt.Keys.Where(k => UnusedSuffixes.Any(s => k.EndsWith(s, StringComparison.Ordinal)))) ckpt.MarkUsed(k);
            foreach (var (part, prefixes) in PartKeys.Where(p => !parts.HasFlag(p.Part)))
                foreach (var k in ckpt.Keys.Where(k => prefixes.Any(p => k.StartsWith(p, StringComparison.Ordinal))).ToList()) ckpt.MarkUsed(k);
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
        if (options.WeightType != ScalarType.Float32 && parts.HasFlag(MusicGenParts.Decoder))
        {
            long bytes = model.Decoder.UseWeightType(options.WeightType);
            log($"musicgen: decoder weight matrices stored as {options.DType} ({bytes / 1e6:F0} MB){(Native.CpuIdentity.HasFlag("avx512_bf16") || Native.CpuIdentity.HasFlag("amx_bf16") ? "" : "; this CPU reports neither avx512_bf16 nor amx_bf16: bfloat16 products are emulated and may be slower than float32")}");
        }
        Native.TorchRuntime.ReleaseFreedHeap();
        log($"musicgen: loaded in {sw.Elapsed.TotalSeconds:F1} s (identity {model.Identity})");
        if (parts.HasFlag(MusicGenParts.Decoder)) model.ChooseDecodeKernel(options, log);
        return model;
    }

    static Device ParseDevice(string text)
    {
        // CUDA is checked before libtorch parses the name: a CPU-only libtorch refuses "cuda" as a device name itself
        bool cuda = text == "cuda" || (text.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(text.AsSpan(5), out int index) && index >= 0);
        if (cuda && !CudaAvailable())
            throw new SmitinException($"device '{text}' requested but CUDA is not available: this build uses the CPU libtorch (see README, 'GPU')");
        try { return torch.device(text); }
        catch (Exception e) when (e is not SmitinException)
        {
            throw new SmitinException($"unknown device '{text}' (expected cpu, cuda or cuda:N)", e);
        }
    }

    /// <summary>False when the CUDA runtime is missing, including when asking libtorch about it throws (CPU-only builds).</summary>
    static bool CudaAvailable()
    {
        try { return torch.cuda.is_available(); }
        catch (Exception) { return false; }
    }

    /// <summary>The built parts as modules, for moving and disposing (null: not built, or disposed).</summary>
    IEnumerable<torch.nn.Module?> Modules => [_text, _codec, _decoder, _melody];

    void MoveTo(Device device)
    {
        if (device.type == DeviceType.CPU) return;
        foreach (var m in Modules) m?.to(device);
    }

    /// <summary><paramref name="part"/> when it was built; otherwise an error naming it (or that the model is disposed).</summary>
    /// <exception cref="ObjectDisposedException">the model was disposed</exception>
    /// <exception cref="SmitinException">the part was left out at load (<see cref="MusicGenLoadOptions.Parts"/>)</exception>
    T Require<T>(T? part, MusicGenParts flag, string name) where T : class
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return part ?? throw new SmitinException(
            $"{Folder}: model has no {name} loaded (it was loaded with MusicGenLoadOptions.Parts = {Parts}; load it with {flag} to use the {name})");
    }

    /// <summary>Frees every part; using the model afterwards throws <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var m in Modules.Reverse()) m?.Dispose();
        _chroma?.Dispose();
        (_text, _codec, _decoder, _melody, _chroma, _tokenizer) = (null, null, null, null, null, null);
    }
}
