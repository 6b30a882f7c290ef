using Microsoft.DotNet.Interactive.Directives;

namespace Smitin.Interactive.Magics;

/// <summary>Prompt and steering options shared by <c>generate</c> and <c>compare</c>.</summary>
internal static class MagicOptions
{
    internal static IEnumerable<KernelDirectiveParameter> Prompt() =>
    [
        new KernelDirectiveParameter("--prompt", "Text prompt (quote it: --prompt \"80s pop with synth\"). Omit for unconditional generation.") { AllowImplicitName = true },
        new KernelDirectiveParameter("--audio", "WAV file to continue (audio prompt); combine with --prompt for text + audio."),
        new KernelDirectiveParameter("--melody", "MusicGen Melody models: WAV whose melody (chroma) conditions the generation; omit --prompt for melody only. Drums/bass are not removed: give a pre-separated stem."),
        new KernelDirectiveParameter("--seconds", "Total length in seconds, the audio prompt included (default: 2, or the prompt + 2).") { TypeHint = "number" },
        new KernelDirectiveParameter("--seed", "Sampling seed (default 0); compare uses the same seed for every variant.") { TypeHint = "number" },
        new KernelDirectiveParameter("--guidance", "Classifier-free guidance scale (default 3).") { TypeHint = "number" },
        new KernelDirectiveParameter("--top-k", "Top-k sampling (default 250; 0 = all tokens).") { TypeHint = "number" },
        new KernelDirectiveParameter("--temperature", "Sampling temperature (default 1; 0 = greedy).") { TypeHint = "number" },
    ];

    internal static IEnumerable<KernelDirectiveParameter> Steering() =>
    [
        new KernelDirectiveParameter("--trait", "Trait to steer (needs probes trained in this notebook; default: the last probe set). With --steer none: monitor it only."),
        new KernelDirectiveParameter("--alpha", "Intervention strength alpha (default 5).") { TypeHint = "number" },
        new KernelDirectiveParameter("--top-heads", "ITI: number of most accurate heads to shift (default 48, capped at the model's head count).") { TypeHint = "number" },
        new KernelDirectiveParameter("--every", "SMITIN: intervene every s-th generated step (default 5).") { TypeHint = "number" },
        new KernelDirectiveParameter("--tau", "SMITIN: monitor threshold in [0, 1] (default: the probe set's tau, median - std of the accuracies).") { TypeHint = "number" },
        new KernelDirectiveParameter("--monitor", "Monitor heads M (default: as many as the probe set marks).") { TypeHint = "number" },
        new KernelDirectiveParameter("--remove", "Remove the trait instead of adding it.") { Flag = true },
    ];
}
