using System.CommandLine;
using System.Globalization;
using Smitin.Data;
using Smitin.Evaluation;
using Smitin.Generation;
using Smitin.Judging;
using Smitin.Models;
using Smitin.Probing;
using Smitin.Viz;

namespace Smitin.Cli;

/// <summary>
/// <c>smitin eval [--model DIR] --trait drums --prompt-source DIR (--probes F... | --source DIR) [--judge F] --out DIR</c>:
/// the paper's audio-continuation comparison (docs/evaluation.md); writes results.json and results.md (and
/// report.html with <c>--report</c>), prints the table.
/// </summary>
static class EvalCommand
{
    /// <summary>
    /// Options shared by <c>eval</c> and <c>demo</c> (docs/options.md): the names of the rest of the CLI, every default
    /// from <paramref name="defaults"/> (<see cref="EvaluationOptions"/>; demo: <see cref="DemoOptions.Evaluation"/>), shown
    /// in the help, never declared on the option.
    /// </summary>
    internal sealed class Shared(EvaluationOptions defaults)
    {
        readonly EvaluationOptions D = defaults;
        public readonly Option<string?> Model = new("--model") { Description = CliModel.Description };
        public readonly Option<string?> Trait = new("--trait") { Description = $"Trait = stem name of the songs (drums, bass, piano, ...) (default {defaults.Trait})" };
        public readonly Option<int> Prompts = new("--prompts") { Description = $"Prompts per adding row (n) (default {defaults.Prompts})" };
        public readonly Option<int> RemovalPrompts = new("--removal-prompts") { Description = "Prompts per removal row (default: --prompts; 0 = no removal rows)" };
        public readonly Option<double> PromptSeconds = new("--prompt-seconds") { Description = $"Seconds of real audio given as the prompt (default {defaults.PromptSeconds})" };
        public readonly Option<double> ContinuationSeconds = new("--continuation-seconds") { Description = $"Seconds generated after the prompt (default {defaults.ContinuationSeconds}, the judge's window)" };
        public readonly Option<int> BatchSize = new("--batch-size") { Description = $"Prompts per decoder forward pass (default {defaults.BatchSize})" };
        public readonly Option<long> Seed = new("--seed") { Description = $"Sampling seed: batch b of every row uses seed·1000 + b (default: {RandomSeed.Default})" };
        public readonly Option<double[]> Alphas = new("--alphas") { Description = $"SMITIN strengths α compared, one row each (repeat) (default {string.Join(", ", defaults.SmitinAlphas)})" };
        public readonly Option<double> ItiAlpha = new("--iti-alpha") { Description = $"ITI α (default {defaults.ItiAlpha})" };
        public readonly Option<int> Every = new("--every") { Description = $"SMITIN: intervene every s-th step (default {defaults.Every})" };
        public readonly Option<int> TopKHeads = new("--top-k-heads") { Description = $"ITI: most accurate heads shifted (default {defaults.TopKHeads})" };
        public readonly Option<string[]> Directions = new("--directions") { Description = $"Directions compared, one row each (repeat): probe, mass-mean (default {string.Join(", ", defaults.Directions.Select(ProbeSetOptions.Name))})" };
        public readonly Option<int> TopK = new("--top-k") { Description = $"Sample among the k most likely tokens; 0 = all (default {defaults.Generation.TopK})" };
        public readonly Option<double> Temperature = new("--temperature") { Description = $"Sampling temperature (default {defaults.Generation.Temperature})" };
        public readonly Option<double?> Guidance = new("--guidance") { Description = "Classifier-free guidance scale (default: the checkpoint's generation_config.json guidance_scale, else 3)" };
        public readonly Option<string?> BaseText = new("--base-text") { Description = "Text of the adding rows other than the text baselines; {trait} = the trait, \"\" = the empty text; when given, the removal rows take \"\" (default: none, no text condition on every such row, as audiocraft continues a prompt without a description)" };
        public readonly Option<string?> Judge = new("--judge") { Description = "Trait judge file (default: judge-<trait>.json next to the model)" };
        public readonly Option<string> Device = CliModel.DeviceOption();

        public IEnumerable<Option> All => [Model, Trait, Prompts, RemovalPrompts, PromptSeconds, ContinuationSeconds, BatchSize, Seed, Alphas, ItiAlpha,
            Every, TopKHeads, Directions, TopK, Temperature, Guidance, BaseText, Judge, Device];

        public EvaluationOptions Options(ParseResult p)
        {
            var o = D with
            {
                Trait = p.GetValue(Trait) ?? D.Trait,
                Prompts = p.Given(Prompts) ?? D.Prompts,
                RemovalPrompts = p.Given(RemovalPrompts) ?? (p.Gave(Prompts) ? null : D.RemovalPrompts),
                PromptSeconds = p.Given(PromptSeconds) ?? D.PromptSeconds,
                ContinuationSeconds = p.Given(ContinuationSeconds) ?? D.ContinuationSeconds,
                BatchSize = p.Given(BatchSize) ?? D.BatchSize,
                Seed = RandomSeed.Resolve(p.Given(Seed) ?? D.Seed),          // one seed for the evaluation and the monitor chart
                SmitinAlphas = p.Gave(Alphas) ? p.GetValue(Alphas)!.Distinct().ToArray() : D.SmitinAlphas,     // one row per value, as --directions
                ItiAlpha = p.Given(ItiAlpha) ?? D.ItiAlpha,
                Every = p.Given(Every) ?? D.Every,
                TopKHeads = p.Given(TopKHeads) ?? D.TopKHeads,
                BaseTextTemplate = p.GetValue(BaseText) ?? D.BaseTextTemplate,
                Directions = p.Gave(Directions) ? p.GetValue(Directions)!.Select(d => ProbeSetOptions.ParseDirection(d, "directions")).Distinct().ToArray() : D.Directions,
                Generation = D.Generation with
                {
                    TopK = p.Given(TopK) ?? D.Generation.TopK,
                    Temperature = p.Given(Temperature) ?? D.Generation.Temperature,
                    GuidanceScale = p.GetValue(Guidance) ?? D.Generation.GuidanceScale,
                },
            };
            o.Validate();
            return o;
        }

        public string ModelFolder(ParseResult p, CancellationToken ct) => CliModel.Resolve(p.GetValue(Model), ct);
    }

    public static Command Create()
    {
        var shared = new Shared(new EvaluationOptions());
        var stems = new Option<string>("--prompt-source") { Description = "Held-out songs the audio prompts are cut from (MUSDB18-HQ / MoisesDB layout, e.g. from 'smitin dataset synth')", Required = true };
        var probes = new Option<string[]>("--probes") { Description = "Probe set(s) of the trait, one per direction (from 'smitin probe --direction ...')" };
        var probeStems = new Option<string?>("--source") { Description = "Instead of --probes: songs to probe the trait on now (both directions from one capture; other songs than --prompt-source)" };
        var output = new Option<string>("--out") { Description = "Output folder: results.json, results.md (and report.html with --report)", Required = true };
        var report = new Option<bool>("--report") { Description = "Also write report.html (chart, heatmap, monitor by s, players, table)" };
        var cmd = new Command("eval", "Compare no control, text, ITI and SMITIN (both directions) on audio continuation, judged by the trait judge; writes results.json and results.md.");
        foreach (var o in shared.All.Concat([stems, probes, probeStems, output, report])) cmd.Options.Add(o);
        cmd.SetAction((parse, ct) => CliRunner.Guard(() =>
        {
            var options = shared.Options(parse);
            string stemDir = parse.GetValue(stems)!, outDir = parse.GetValue(output)!;
            if (!Directory.Exists(stemDir)) throw new SmitinException($"--prompt-source {stemDir}: folder not found");
            if (File.Exists(outDir)) throw new SmitinException($"--out {outDir}: is a file; expected a folder");
            var probeFiles = parse.GetValue(probes) ?? [];
            string? probeSongs = parse.GetValue(probeStems);
            if ((probeFiles.Length > 0) == (probeSongs is not null))
                throw new SmitinException("give either --probes FILE (one per direction) or --source DIR (songs to probe on), not both and not neither");
            string modelDir = shared.ModelFolder(parse, ct);
            string judgePath = parse.GetValue(shared.Judge) ?? Path.Combine(modelDir, TraitJudge.DefaultFileName(options.Trait));
            if (!File.Exists(judgePath))
                throw new SmitinException($"judge {judgePath}: not found; train one with 'smitin judge train --model {modelDir} --source DIR --trait {options.Trait} --out {modelDir}' or pass --judge FILE");
            var judge = TraitJudge.Load(judgePath);
            using var model = CliModel.Load(modelDir, parse.GetValue(shared.Device)!);
            IReadOnlyList<ProbeSet> sets;
            if (probeSongs is not null)
            {
                Console.Error.WriteLine($"smitin: probing '{options.Trait}' on {probeSongs} (directions {string.Join(", ", options.Directions.Select(ProbeSetOptions.Name))})");
                var dataset = ProbeDataset.FromStems(probeSongs, options.Trait, new SegmentOptions { SampleRate = model.SampleRate, Channels = model.AudioChannels, Seed = 0 });   // fixed split, as the demo's
                sets = ProbeTrainer.TrainDirections(model, dataset, options.Directions, null, null, ct);
                Directory.CreateDirectory(outDir);
                foreach (var s in sets) s.Save(Path.Combine(outDir, $"{options.Trait}-{ProbeSetOptions.Name(s.Direction)}.probe"));
            }
            else sets = probeFiles.Select(f => ProbeSet.Load(f, model)).ToArray();

            Console.Error.WriteLine($"smitin: seed {options.Seed}");
            var result = SteeringEvaluation.Run(model, stemDir, sets, judge, options, Progress(), ct);
            result.Save(outDir);
            if (parse.GetValue(report))
            {
                var prompt = EvaluationPrompts.Load(stemDir, options, model.SampleRate, model.AudioChannels, 1, ct)[0];
                // heatmap and monitor: the first requested direction that has a probe set (as the evaluation's monitor)
                var primary = options.Directions.Select(d => sets.FirstOrDefault(s => s.Direction == d)).First(s => s is not null)!;
                var series = MonitorBySchedule.Run(model, prompt.Without, primary, options, [1, 5, 10], true, ct);
                EvaluationReport.Save(Path.Combine(outDir, "report.html"), new EvaluationReport.Content(result, primary, series,
                    [$"model: {modelDir}", $"prompts: {stemDir}", $"judge: {judgePath}"]));
            }
            Console.WriteLine(result.ToMarkdown());
            Console.WriteLine($"wrote {Path.Combine(outDir, "results.json")} and results.md{(parse.GetValue(report) ? " and report.html" : "")}");
            return Task.FromResult(0);
        }));
        return cmd;
    }

    /// <summary>Evaluation progress on stderr: one line per stage and every quarter of a row, with the elapsed time.</summary>
    internal static StderrProgress<EvaluationProgress> Progress() =>
        new(p => (p.Stage, p.Total > 0 ? 4 * p.Done / p.Total : 0),
            p => string.Create(CultureInfo.InvariantCulture, $"[{p.Elapsed.TotalSeconds,5:0} s] {p.Stage}: {p.Done}/{p.Total}"));
}
