using System.CommandLine;
using Smitin.Training;

namespace Smitin.Cli;

/// <summary>
/// <c>smitin train</c>: reproduces the default model (<c>models/smitin-synth-small</c>) from scratch in resumable
/// stages (data → codec → text → lm → pairs → export → report). Training never runs in CI or in the tests.
/// </summary>
static class TrainCommand
{
    public static Command Create()
    {
        var work = new Option<string>("--work") { Description = "Work folder for songs, checkpoints and curves (resumable; default: the user cache).", DefaultValueFactory = _ => Path.Combine(CacheDirs.Root, "train") };
        var output = new Option<string>("--out") { Description = "Model folder to write (Hugging Face MusicGen layout).", DefaultValueFactory = _ => Path.Combine("models", "smitin-synth-small") };
        var config = new Option<string?>("--config") { Description = "Training config JSON (SynthModelConfig fields); defaults reproduce the committed model." };
        var until = new Option<TrainingStage>("--until") { Description = "Stop after this stage (data, codec, text, lm, pairs, export, report).", DefaultValueFactory = _ => TrainingStage.Report };
        var cmd = new Command("train", "Train Smitin's small default MusicGen on synthetic songs (codec, T5 vocabulary, LM), resumably; then export it.")
        {
            work, output, config, until,
        };
        cmd.SetAction((parse, cancel) => CliRunner.Guard(() =>
        {
            var path = parse.GetValue(config);
            var cfg = path is null ? new SynthModelConfig() : SynthModelConfig.FromFile(path);
            TrainingPipeline.Run(cfg, parse.GetValue(work)!, parse.GetValue(output)!, parse.GetValue(until),
                new TimestampedProgress(Console.Error), cancel);
            return Task.FromResult(0);
        }));
        return cmd;
    }

    sealed class TimestampedProgress(TextWriter writer) : IProgress<string>
    {
        public void Report(string value) { lock (writer) writer.WriteLine($"[{DateTime.Now:HH:mm:ss}] {value}"); }
    }
}
