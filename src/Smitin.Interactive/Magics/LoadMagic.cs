using Microsoft.DotNet.Interactive.Directives;
using Smitin.Models;

namespace Smitin.Interactive.Magics;

/// <summary><c>#!smitin load &lt;folder|hub-id&gt;</c>: loads a MusicGen checkpoint (Hugging Face layout).</summary>
public sealed class LoadMagic : SmitinMagicCommand
{
    public string? Model { get; set; }
    public string? Device { get; set; }
    public string? Var { get; set; }

    internal static KernelActionDirective Declare() => new("load", "Load a MusicGen checkpoint (model folder or hub id) and bind it to a C# variable.")
    {
        Parameters =
        {
            new KernelDirectiveParameter("--model", "(required) Model folder in the Hugging Face layout (config.json + model.safetensors) or a hub id such as facebook/musicgen-small.")
                { AllowImplicitName = true },
            new KernelDirectiveParameter("--device", "Torch device: cpu (default), cuda or cuda:N (needs a CUDA libtorch package)."),
            new KernelDirectiveParameter("--var", "C# variable to bind the loaded model to (default: model)."),
            SmitinMagics.HelpParameter(),
        },
    };

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
