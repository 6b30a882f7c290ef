using System.Text.Json;
using Smitin.IO;
using TorchSharp;
using static TorchSharp.torch;

namespace Smitin.Training;

/// <summary>
/// A resumable stage's checkpoint: named tensors (module weights and any extra state, safetensors), the optimizer
/// state (TorchSharp's format) and the step, written to <c>DIR/checkpoint.tmp</c> and renamed into
/// <c>DIR/checkpoint</c> so a kill at any moment leaves the previous complete checkpoint.
/// </summary>
public static class TrainingState
{
    public static string Folder(string stageDir) => Path.Combine(stageDir, "checkpoint");

    public static void Save(string stageDir, int step, IReadOnlyDictionary<string, Tensor> tensors, TorchSharp.Modules.OptimizerHelper optimizer, double elapsedSeconds)
    {
        string final = Folder(stageDir), tmp = final + ".tmp", old = final + ".old";
        if (Directory.Exists(tmp)) Directory.Delete(tmp, true);
        Directory.CreateDirectory(tmp);
        SafeTensorsWriter.Write(Path.Combine(tmp, "state.safetensors"), tensors);
        optimizer.save_state_dict(Path.Combine(tmp, "optimizer.bin"));
        File.WriteAllText(Path.Combine(tmp, "state.json"), JsonSerializer.Serialize(new { step, elapsed_seconds = elapsedSeconds }));
        if (Directory.Exists(old)) Directory.Delete(old, true);
        if (Directory.Exists(final)) Directory.Move(final, old);
        Directory.Move(tmp, final);
        if (Directory.Exists(old)) Directory.Delete(old, true);
    }

    /// <summary>Restores a checkpoint into <paramref name="tensors"/> (copied in place) and the optimizer.</summary>
    /// <returns>the step to continue from and the training seconds already spent, or (0, 0) without a checkpoint</returns>
    public static (int Step, double Elapsed) TryLoad(string stageDir, IReadOnlyDictionary<string, Tensor> tensors, TorchSharp.Modules.OptimizerHelper optimizer)
    {
        string dir = Folder(stageDir);
        if (!Directory.Exists(dir) && Directory.Exists(dir + ".old")) dir += ".old"; // killed between the two renames
        if (!File.Exists(Path.Combine(dir, "state.json"))) return (0, 0);
        using (var file = SafeTensorsFile.Open(Path.Combine(dir, "state.safetensors")))
        using (no_grad())
            foreach (var (name, t) in tensors)
            {
                if (!file.Contains(name)) throw new SmitinException($"{dir}: checkpoint has no tensor '{name}' (was it written by another configuration?)");
                using var src = file.Read(name);
                if (!src.shape.SequenceEqual(t.shape))
                    throw new SmitinException($"{dir}: tensor '{name}' has shape [{string.Join(", ", src.shape)}], expected [{string.Join(", ", t.shape)}]");
                t.copy_(src);
            }
        optimizer.load_state_dict(Path.Combine(dir, "optimizer.bin"));
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "state.json")));
        return (doc.RootElement.GetProperty("step").GetInt32(), doc.RootElement.GetProperty("elapsed_seconds").GetDouble());
    }
}
