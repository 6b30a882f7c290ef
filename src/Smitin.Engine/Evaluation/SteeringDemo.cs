using System.Diagnostics;
using System.Globalization;
using Smitin.Data;
using Smitin.Data.Synth;
using Smitin.Judging;
using Smitin.Models;
using Smitin.Probing;
using Smitin.Viz;

namespace Smitin.Evaluation;

/// <summary>What <see cref="SteeringDemo.Run"/> wrote.</summary>
public sealed record DemoResult(string ReportPath, string ResultsFolder, EvaluationResult Evaluation, IReadOnlyList<string> Timings);

/// <summary>
/// <c>smitin demo</c>: the paper's comparison end to end on one model, offline. Synthesises a probing set and an
/// evaluation set of songs (<see cref="SyntheticSongGenerator"/>, two seeds), probes the trait once for both
/// directions, loads (or trains) the trait judge, runs <see cref="SteeringEvaluation"/>, draws the monitor by s, and
/// writes <c>report.html</c> (<see cref="EvaluationReport"/>) and <c>results.json</c>/<c>results.md</c>.
/// </summary>
public static class SteeringDemo
{
    /// <exception cref="SmitinException">bad options, fluidsynth or the SoundFont missing, no usable songs</exception>
    /// <exception cref="OperationCanceledException">cancelled</exception>
    public static DemoResult Run(MusicGen model, DemoOptions options, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        options.Validate();
        // One sampling seed for the evaluation and the monitor chart (given, or drawn at random and reported).
        var e = options.Evaluation with { Seed = RandomSeed.Resolve(options.Evaluation.Seed) };
        progress?.Report($"seed {e.Seed}");
        var clock = Stopwatch.StartNew();
        var timings = new List<string>();
        void Stage(string what, TimeSpan start) => timings.Add(string.Create(CultureInfo.InvariantCulture, $"{what}: {(clock.Elapsed - start).TotalSeconds:0} s"));
        string outDir = Path.GetFullPath(options.OutputFolder);
        Directory.CreateDirectory(outDir);

        // 1. songs (reused when already rendered with the same settings: the generator checks a fingerprint)
        var t = clock.Elapsed;
        string probeSongs = Path.Combine(outDir, "songs-probe"), evalSongs = Path.Combine(outDir, "songs-eval");
        foreach (var (dir, songs, seconds, seed, what) in new[]
                 {
                     (probeSongs, options.ProbeSongs, options.ProbeSongSeconds, options.ProbeSongSeed, "probing"),
                     (evalSongs, options.EvalSongs, options.EvalSongSeconds, options.EvalSongSeed, "evaluation"),
                 })
        {
            progress?.Report($"synthesising {songs} {what} songs of {seconds:0.#} s (seed {seed}) into {dir}");
            int done = 0;
            var r = SyntheticSongGenerator.Generate(dir, new SynthOptions
            {
                Songs = songs, Seconds = seconds, Seed = seed, SampleRate = model.SampleRate, Channels = model.AudioChannels, Jobs = options.Jobs,
            }, new Sync<string>(_ => { if (Interlocked.Increment(ref done) % 10 == 0) progress?.Report($"  {what} songs: {done}/{songs}"); }), cancellationToken);
            progress?.Report($"  {r.Generated} rendered, {r.Reused} reused; {e.Trait} in {r.StemCounts.GetValueOrDefault(e.Trait)} of {songs}");
        }
        Stage("synthesis", t);

        // 2. probes, both directions from one capture
        t = clock.Elapsed;
        progress?.Report($"probing '{e.Trait}' on {model.Folder} ({options.ProbeSegmentSeconds:0.#} s segments)");
        var dataset = ProbeDataset.FromStems(probeSongs, e.Trait, new SegmentOptions
        {
            SegmentSeconds = options.ProbeSegmentSeconds, SampleRate = model.SampleRate, Channels = model.AudioChannels, Seed = 0,
        });
        var sets = ProbeTrainer.TrainDirections(model, dataset, e.Directions, null, new Sync<ProbeProgress>(p =>
        {
            if (p.Stage.StartsWith("capture", StringComparison.Ordinal) && p.Done % 40 == 0) progress?.Report($"  {p.Stage}: {p.Done} segments");
        }), cancellationToken);
        foreach (var s in sets)
        {
            string file = Path.Combine(outDir, $"{e.Trait}-{ProbeSetOptions.Name(s.Direction)}.probe");
            s.Save(file);
            progress?.Report(string.Create(CultureInfo.InvariantCulture, $"  {ProbeSetOptions.Name(s.Direction)}: best head {s.Accuracy.Max():P1}, τ {s.Tau:0.###} → {file}"));
        }
        Stage("probing", t);

        // 3. judge
        t = clock.Elapsed;
        var judge = LoadOrTrainJudge(model, options, probeSongs, outDir, progress, cancellationToken);
        Stage("judge", t);

        // 4. evaluation
        t = clock.Elapsed;
        progress?.Report($"evaluating: {e.Prompts} prompts per adding row, {e.ResolvedRemovalPrompts} per removal row, batch {e.BatchSize}");
        string lastStage = "";
        var result = SteeringEvaluation.Run(model, evalSongs, sets, judge, e, new Sync<EvaluationProgress>(p =>
        {
            if (p.Done == p.Total && p.Stage != lastStage)
            {
                lastStage = p.Stage;
                progress?.Report(string.Create(CultureInfo.InvariantCulture, $"  {p.Stage}: {p.Total} done ({p.Elapsed.TotalSeconds:0} s)"));
            }
        }), cancellationToken);
        result.Save(outDir);
        Stage("evaluation", t);

        // 5. monitor by s on the first prompt
        t = clock.Elapsed;
        progress?.Report($"monitor traces for s = {string.Join(", ", options.TraceEvery)} and ITI");
        var prompt = EvaluationPrompts.Load(evalSongs, e, model.SampleRate, model.AudioChannels, 1, cancellationToken)[0];
        var primary = sets[0];
        var series = MonitorBySchedule.Run(model, prompt.Without, primary, e, options.TraceEvery, includeIti: true, cancellationToken);
        Stage("monitor traces", t);

        string report = Path.Combine(outDir, "report.html");
        var notes = new List<string>
        {
            $"model: {model.Folder} ({result.ModelIdentity})",
            $"probing songs: {options.ProbeSongs} × {options.ProbeSongSeconds:0.#} s, seed {options.ProbeSongSeed}; evaluation songs: {options.EvalSongs} × {options.EvalSongSeconds:0.#} s, seed {options.EvalSongSeed} (synthetic, General MIDI SoundFont)",
            $"heatmap and monitor chart: the {ProbeSetOptions.Name(primary.Direction)} probe set; monitor prompt {prompt}",
        };
        notes.AddRange(timings.Select(x => "time, " + x));
        EvaluationReport.Save(report, new EvaluationReport.Content(result, primary, series, notes));
        timings.Add(string.Create(CultureInfo.InvariantCulture, $"total: {clock.Elapsed.TotalSeconds:0} s"));
        return new DemoResult(report, outDir, result, timings);
    }

    static TraitJudge LoadOrTrainJudge(MusicGen model, DemoOptions options, string probeSongs, string outDir, IProgress<string>? progress, CancellationToken ct)
    {
        string trait = options.Evaluation.Trait;
        string path = options.JudgePath ?? Path.Combine(model.Folder, TraitJudge.DefaultFileName(trait));
        if (File.Exists(path))
        {
            progress?.Report($"judge: {path}");
            return TraitJudge.Load(path);
        }
        if (options.JudgePath is not null) throw new SmitinException($"judge file {path}: not found");
        string trained = Path.Combine(outDir, TraitJudge.DefaultFileName(trait));
        progress?.Report($"judge: none next to the model; training one on the probing songs (audio only, codec-calibrated) → {trained}");
        var judge = TraitJudge.Train(model, probeSongs, new TraitJudgeOptions { Trait = trait, Seed = 0 }, null, ct);
        judge.Save(trained);
        foreach (var line in judge.Report.Lines()) progress?.Report("  " + line);
        return judge;
    }

    /// <summary>Reports on the calling thread, in order (Progress&lt;T&gt; would post to the thread pool).</summary>
    sealed class Sync<T>(Action<T> report) : IProgress<T>
    {
        readonly object _gate = new();
        public void Report(T value) { lock (_gate) report(value); }
    }
}
