using System.Diagnostics;
using System.Globalization;

namespace Smitin.Training;

/// <summary>
/// Progress and loss curves of a stage: appends one CSV row per logged step to <c>curves.csv</c> (kept on resume;
/// rows past the resumed step are dropped) and reports "step n/N, loss, time left" through <see cref="IProgress{T}"/>.
/// </summary>
public sealed class TrainingLog
{
    readonly string _path;
    readonly string[] _columns;
    readonly IProgress<string>? _progress;
    readonly string _stage;
    readonly int _total;
    readonly Stopwatch _clock = Stopwatch.StartNew();
    readonly int _startStep;

    public TrainingLog(string stageDir, string stage, string[] columns, int startStep, int totalSteps, IProgress<string>? progress)
    {
        _path = Path.Combine(stageDir, "curves.csv"); _columns = columns; _progress = progress; _stage = stage;
        _total = totalSteps; _startStep = startStep;
        var header = "step," + string.Join(",", columns);
        var keep = File.Exists(_path)
            ? File.ReadAllLines(_path).Skip(1).Where(l => int.TryParse(l.Split(',')[0], CultureInfo.InvariantCulture, out int s) && s < startStep).ToList()
            : [];
        File.WriteAllLines(_path, keep.Prepend(header));
    }

    public void Row(int step, params double[] values)
    {
        File.AppendAllText(_path, step.ToString(CultureInfo.InvariantCulture) + "," +
            string.Join(",", values.Select(v => v.ToString("G6", CultureInfo.InvariantCulture))) + "\n");
        double perStep = _clock.Elapsed.TotalSeconds / Math.Max(1, step + 1 - _startStep);
        var left = TimeSpan.FromSeconds(perStep * (_total - step - 1));
        _progress?.Report($"{_stage}: step {step + 1}/{_total} " +
            string.Join(" ", _columns.Zip(values, (c, v) => $"{c}={v.ToString("G4", CultureInfo.InvariantCulture)}")) +
            $" ({perStep:F2} s/step, {left:hh\\:mm\\:ss} left)");
    }
}
