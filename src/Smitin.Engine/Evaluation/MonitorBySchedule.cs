using Smitin.Audio;
using Smitin.Models;
using Smitin.Probing;
using Smitin.Steering;
using Smitin.Viz;
using TorchSharp;

namespace Smitin.Evaluation;

/// <summary>
/// The paper's Fig. 4: one prompt continued with SMITIN at several intervention intervals s (and, for contrast, ITI),
/// each drawn as the monitor probes' median, mean and range over generation time with the steps that were shifted.
/// SMITIN runs at <see cref="EvaluationOptions.MonitorAlpha"/>, ITI at <see cref="EvaluationOptions.ItiAlpha"/>.
/// </summary>
public static class MonitorBySchedule
{
    /// <param name="prompt">the prompt (at least P s at the model's rate and channels)</param>
    /// <param name="every">values of s, one series each</param>
    /// <param name="includeIti">also one ITI series (every step, top-K heads)</param>
    /// <returns>One <see cref="MonitorPlotSeries"/> per generation, time in seconds (decoder steps / frame rate).</returns>
    /// <param name="cancellationToken">cancels between and inside generations</param>
    /// <param name="options">lengths, seeds, sampling and the steering strength</param>
    /// <param name="probes">the trait's probe set</param>
    /// <param name="model">the model the probes belong to</param>
    public static IReadOnlyList<MonitorPlotSeries> Run(MusicGen model, AudioClip prompt, ProbeSet probes, EvaluationOptions options,
        IReadOnlyList<int> every, bool includeIti = true, CancellationToken cancellationToken = default)
    {
        options.Validate();
        long seed = RandomSeed.Resolve(options.Seed);                                   // one seed for every series
        if (every.Count == 0 && !includeIti) throw new SmitinException("monitor by schedule: give at least one value of s");
        if (every.Any(s => s < 1)) throw new SmitinException($"monitor by schedule: s must be >= 1, got {string.Join(", ", every)}");
        int samples = (int)Math.Round(options.PromptSeconds * model.SampleRate);
        if (prompt.Frames < samples) throw new SmitinException($"monitor by schedule: prompt has {prompt.Frames} frames, expected at least {samples}");
        double alpha = options.MonitorAlpha;
        var runs = every.Select(s => ($"SMITIN α {alpha:0.##}, s = {s}", new SteeringOptions { Alpha = alpha, Every = s })).ToList();
        if (includeIti) runs.Add(($"ITI α {options.ItiAlpha:0.##}", new SteeringOptions { Mode = SteeringMode.Iti, Alpha = options.ItiAlpha, TopKHeads = options.TopKHeads }));
        var series = new List<MonitorPlotSeries>();
        foreach (var (name, steering) in runs)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var scope = torch.NewDisposeScope();
            var audio = prompt.ToTensor().narrow(1, 0, samples).unsqueeze(0);                                   // (1, C, P)
            var gen = options.Generation with
            {
                DurationSeconds = options.PromptSeconds + options.ContinuationSeconds,
                Seed = SteeringEvaluation.BatchSeed(seed, 0),
                Steering = InterventionPlan.Build(probes, steering),
            };
            using var result = SteeringEvaluation.Continue(model, options.BaseText, 1, gen, audio, cancellationToken, decodeAudio: false);
            series.AddRange(MonitorPlotSeries.FromTrace(name, result.Steering!.Trace, model.FrameRate));   // one trait, one sample
        }
        return series;
    }
}
