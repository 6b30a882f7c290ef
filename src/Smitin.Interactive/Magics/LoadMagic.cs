using Smitin.Models;

namespace Smitin.Interactive.Magics;

/// <summary><c>#!smitin load &lt;folder|hub-id&gt;</c>: loads a MusicGen checkpoint (Hugging Face layout).</summary>
public sealed class LoadMagic : SmitinMagicCommand
{
    public string? Model { get; set; }
    public string? Device { get; set; }
    public string? Var { get; set; }

    internal override string? VariableName => Var;

    internal const string Description = "Load a MusicGen checkpoint (model folder or hub id) and bind it to a C# variable.";

    internal static IReadOnlyList<MagicOption> Options() =>
    [
        new("--model", "(required) Model folder in the Hugging Face layout (config.json + model.safetensors) or a hub id such as facebook/musicgen-small.") { Implicit = true },
        new("--device", "Torch device: cpu (default), cuda or cuda:N (needs a CUDA libtorch package)."),
        MagicOptions.Var("model", "loaded model"), MagicOptions.Help(),
    ];

    internal override async Task RunAsync(MagicContext magic)
    {
        Check(!string.IsNullOrWhiteSpace(Model), "--model is required (a model folder or hub id)");
        var progress = magic.StartProgress($"load {Model}");
        MusicGen model;
        try
        {
            string folder = await ModelSource.ResolveAsync(Model!, progress, magic.CancellationToken);
            model = await Task.Run(() => MusicGen.Load(folder, new MusicGenLoadOptions
            {
                Device = Device ?? "cpu",
                Log = line => progress.Report(line.Trim()),
            }), magic.CancellationToken);
        }
        catch
        {
            progress.Finish("failed", failed: true);
            throw;
        }
        progress.Finish($"loaded {model.Identity}");
        magic.Session.SetModel(model);
        magic.Display(model);
        await magic.BindAsync(Var ?? "model", model);
    }
}
