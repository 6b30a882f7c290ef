using Smitin.Models;

namespace Smitin.Interactive.Magics;

/// <summary>
/// <c>#!smitin load [folder|hub-id]</c>: loads a MusicGen checkpoint (Hugging Face layout). Without a model it loads
/// the embedded default model <c>smitin-synth-small</c> (<see cref="DefaultModel.Folder"/>: next to the engine or in
/// the engine package's content files; <c>$SMITIN_DEFAULT_MODEL</c> overrides), as the CLI does without <c>--model</c>.
/// </summary>
public sealed class LoadMagic : SmitinMagicCommand
{
    public string? Model { get; set; }
    public string? Device { get; set; }
    public string? Var { get; set; }

    internal override string? VariableName => Var;

    internal const string Description = "Load a MusicGen checkpoint (model folder or hub id; none = the embedded default model " + DefaultModel.Name + ") and bind it to a C# variable.";

    internal static IReadOnlyList<MagicOption> Options() =>
    [
        new("--model", "Model folder in the Hugging Face layout (config.json + model.safetensors) or a hub id such as facebook/musicgen-small; default: the embedded default model " + DefaultModel.Name + " ($" + DefaultModel.EnvironmentVariable + " overrides where it is found).") { Implicit = true },
        new("--device", "Torch device: cpu (default), cuda or cuda:N (needs a CUDA libtorch package)."),
        MagicOptions.Var("model", "loaded model"), MagicOptions.Help(),
    ];

    internal override async Task RunAsync(MagicContext magic)
    {
        bool useDefault = string.IsNullOrWhiteSpace(Model);
        string? defaultFolder = null;
        if (useDefault)
        {
            try { defaultFolder = DefaultModel.Folder; }
            catch (SmitinException e) { throw new MagicUsageException($"--model not given and {e.Message}"); }
        }
        var progress = magic.StartProgress(useDefault ? $"load the default model {DefaultModel.Name} ({defaultFolder})" : $"load {Model}");
        MusicGen model;
        try
        {
            string folder = defaultFolder ?? await ModelSource.ResolveAsync(Model!, progress, magic.CancellationToken);
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
