using Smitin.Generation;
using Smitin.IO;
using Smitin.Models.Decoder;
using TorchSharp;
using static TorchSharp.torch;

namespace Smitin.Models;

public sealed partial class MusicGen
{
    MusicGenLm? _decoder;

    /// <summary>The decoder language model (keys <c>decoder.*</c>).</summary>
    public MusicGenLm Decoder => Require(_decoder, MusicGenParts.Decoder, "decoder");

    /// <summary>A generation loop over this model's decoder (tensor-driven: text memory, prompt codes).</summary>
    public CodeGenerator CreateCodeGenerator() =>
        new(Decoder, Config.DecoderStartTokenId, Config.AudioEncoder.FrameRate, Config.GuidanceScale);

    /// <summary>
    /// Applies the load option's kernel override, then resolves the decode kernel for 2 rows (batch 1 with guidance:
    /// override, cache or a ~0.1 s measurement) and logs it; other row counts resolve on first use. On CUDA the
    /// choice is <c>linear</c> (the timing is for CPU products).
    /// </summary>
    void ChooseDecodeKernel(MusicGenLoadOptions options, Action<string> log)
    {
        var selector = Decoder.DecodeKernels;
        if (Device.type != DeviceType.CPU) selector.SetOverride(DecodeKernel.Linear, $"device {Device}");
        else if (DecodeKernels.Parse(options.DecodeKernel, "decode-kernel") is { } forced) selector.SetOverride(forced, $"load option decode-kernel={options.DecodeKernel}");
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var choice = selector.Resolve(2);
        log($"musicgen: {choice.Describe(selector.Cpu)}{(choice.Reason == DecodeKernelReason.Measured ? $", {sw.Elapsed.TotalMilliseconds:F0} ms" : "")}");
        if (selector.CacheProblem is { } problem) log($"musicgen: decode kernel choice not cached: {problem}");
    }

    /// <summary>One line per decode-kernel choice made so far (which kernel, and why: measured ms of each candidate,
    /// cached, or override), for the model summary.</summary>
    public IReadOnlyList<string> DecodeKernelSummary() =>
        Decoder.DecodeKernels.Choices.Select(c => c.Describe(Decoder.DecodeKernels.Cpu)).ToList();
}
