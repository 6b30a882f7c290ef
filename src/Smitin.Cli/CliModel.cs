using System.CommandLine;
using Smitin.Hub;
using Smitin.Models;

namespace Smitin.Cli;

/// <summary>What every <c>--model</c> option accepts: a local folder or a Hugging Face hub id (owner/name[@revision]).</summary>
static class CliModel
{
    public const string Description =
        "MusicGen model: a Hugging Face layout folder (config.json, model.safetensors, spiece.model) or a hub id such as facebook/musicgen-small[@revision], resolved in the shared Hugging Face cache; default: the embedded smitin-synth-small";

    /// <summary>
    /// Resolves to a local folder, downloading what is missing (progress on stderr). No model given (null or empty):
    /// the embedded default model (<see cref="DefaultModel"/>).
    /// </summary>
    public static string Resolve(string? modelOrHubId, CancellationToken ct) =>
        string.IsNullOrWhiteSpace(modelOrHubId) ? DefaultModel.Folder
            : ModelLocator.Resolve(modelOrHubId, null, null, new DownloadCommand.ConsoleProgress(), ct).GetAwaiter().GetResult();

    /// <summary>The <c>--model</c> option every model command takes.</summary>
    public static Option<string> ModelOption() => new("--model") { Description = Description };

    /// <summary>The <c>--device</c> option every model command takes.</summary>
    public static Option<string> DeviceOption() =>
        new("--device") { Description = "cpu, cuda or cuda:N", DefaultValueFactory = _ => "cpu" };

    /// <summary>The <c>--dtype</c> option (<see cref="MusicGenLoadOptions.DType"/>) of the generating commands.</summary>
    public static Option<string> DTypeOption() =>
        new("--dtype") { Description = "decoder weight matrices: float32 (default) or bfloat16 (half the bytes per decode step; float32 norms, softmax and sampling)", DefaultValueFactory = _ => new MusicGenLoadOptions().DType };

    /// <summary>Loads the model (or only <paramref name="parts"/> of it) from a resolved folder on the chosen device
    /// (and weight type).</summary>
    public static MusicGen Load(string folder, string device, string? dtype = null, MusicGenParts parts = MusicGenParts.All) =>
        MusicGen.Load(folder, new MusicGenLoadOptions { Device = device, DType = dtype ?? new MusicGenLoadOptions().DType, Parts = parts });
}
