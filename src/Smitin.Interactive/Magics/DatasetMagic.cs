using Microsoft.DotNet.Interactive.Directives;

namespace Smitin.Interactive.Magics;

/// <summary><c>#!smitin dataset</c>: builds a labelled probing dataset (synthetic songs, stems or two folders).</summary>
public sealed class DatasetMagic : SmitinMagicCommand
{
    public string? Trait { get; set; }
    public bool Synthetic { get; set; }
    public string? Stems { get; set; }
    public string? Positive { get; set; }
    public string? Negative { get; set; }
    public int? Songs { get; set; }
    public double? Seconds { get; set; }
    public int? Seed { get; set; }
    public string? Var { get; set; }

    internal static KernelActionDirective Declare() => new("dataset", "Build a labelled probing dataset for a trait: synthetic songs, stem folders or positive/negative folders.")
    {
        Parameters =
        {
            new KernelDirectiveParameter("--trait", "(required) Trait to probe, e.g. drums, bass, piano (for stems: the stem that is removed in the negatives).")
                { AllowImplicitName = true },
            new KernelDirectiveParameter("--synthetic", "Render synthetic songs (MIDI + fluidsynth) with and without the trait.") { Flag = true },
            new KernelDirectiveParameter("--stems", "Folder with one sub-folder per song holding stem WAVs (positive = mixture, negative = mixture without the trait stem)."),
            new KernelDirectiveParameter("--positive", "Folder of WAV files that have the trait."),
            new KernelDirectiveParameter("--negative", "Folder of WAV files that do not have the trait."),
            new KernelDirectiveParameter("--songs", "Synthetic: number of songs to render (default 12).") { TypeHint = "number" },
            new KernelDirectiveParameter("--seconds", "Segment length in seconds (default 3).") { TypeHint = "number" },
            new KernelDirectiveParameter("--seed", "Random seed for synthetic songs and the train/validation split (default 0).") { TypeHint = "number" },
            new KernelDirectiveParameter("--var", "C# variable to bind the dataset to (default: dataset)."),
            SmitinMagics.HelpParameter(),
        },
    };

    internal override Task RunAsync(MagicContext magic) => throw NotAvailable.Because("dataset", "Smitin.Data datasets");
}
