using Microsoft.DotNet.Interactive.Directives;
using Smitin.Audio;
using Smitin.Generation;
using Smitin.Models;
using Smitin.Steering;

namespace Smitin.Interactive.Magics;

/// <summary><c>#!smitin generate</c>: text-to-music or continuation, optionally steered (ITI or SMITIN).</summary>
public sealed class GenerateMagic : SmitinMagicCommand
{
    public string? Prompt { get; set; }
    public string? Audio { get; set; }
    public double? Seconds { get; set; }
    public long? Seed { get; set; }
    public double? Guidance { get; set; }
    public int? TopK { get; set; }
    public double? Temperature { get; set; }
    public string? Steer { get; set; }
    public string? Trait { get; set; }
    public double? Alpha { get; set; }
    public int? TopHeads { get; set; }
    public int? Every { get; set; }
    public double? Tau { get; set; }
    public int? Monitor { get; set; }
    public bool Remove { get; set; }
    public string? Var { get; set; }

    internal static KernelActionDirective Declare()
    {
        var d = new KernelActionDirective("generate", "Generate music from a text and/or audio prompt, optionally steered towards (or away from) a probed trait.");
        foreach (var p in MagicOptions.Prompt()) d.Parameters.Add(p);
        d.Parameters.Add(new KernelDirectiveParameter("--steer", "none (default), iti or smitin.").AddCompletions(() => ["none", "iti", "smitin"]));
        foreach (var p in MagicOptions.Steering()) d.Parameters.Add(p);
        d.Parameters.Add(new KernelDirectiveParameter("--var", "C# variable to bind the generation result to (default: result)."));
        d.Parameters.Add(SmitinMagics.HelpParameter());
        return d;
    }

    internal override async Task RunAsync(MagicContext magic)
    {
        var request = GenerationRequest.Parse(Prompt, Audio, Seconds, Seed, Guidance, TopK, Temperature);
        string steer = (Steer ?? "none").ToLowerInvariant();
        Check(steer is "none" or "iti" or "smitin", $"--steer must be none, iti or smitin, got '{Steer}'");
        if (steer == "none")
            Check(Alpha is null && TopHeads is null && Every is null && Tau is null && !Remove,
                "--alpha, --top-heads, --every, --tau and --remove need --steer iti or --steer smitin (--trait alone only monitors)");
        var model = magic.Session.RequireModel();
        var options = request.Options;
        string label = "no control";
        if (steer != "none" || Trait is not null)
        {
            var steering = SteeringRequest.Parse(magic.Session, Trait, Alpha, TopHeads, Every, Tau, Monitor, Remove);
            options = options with
            {
                Steering = steer == "none" ? steering.MonitorOnly() : steering.Plan(steer == "iti" ? SteeringMode.Iti : SteeringMode.Smitin),
            };
            label = steer == "none" ? "no control (monitored)" : steer.ToUpperInvariant();
        }
        var result = await (request with { Options = options }).RunAsync(model, magic, $"generate ({label})");
        magic.Session.LastResult = result;
        if (result.Steering is not null) magic.Session.LastTraced = [new ComparisonVariant(label, result)];
        magic.Display(result);
        await magic.BindAsync(Var ?? "result", result);
    }
}

/// <summary>The prompt and sampling part of <c>generate</c> / <c>compare</c>, validated once.</summary>
internal sealed record GenerationRequest(string Text, AudioClip? AudioPrompt, string? AudioPath, GenerationOptions Options)
{
    internal const double DefaultSeconds = 2;

    internal static GenerationRequest Parse(string? prompt, string? audio, double? seconds, long? seed, double? guidance, int? topK, double? temperature)
    {
        if (seconds is { } s && !(s > 0 && s <= 300)) throw new MagicUsageException($"--seconds must be between 0 and 300, got {s}");
        if (guidance is { } g && !(g >= 0 && g <= 100)) throw new MagicUsageException($"--guidance must be between 0 and 100, got {g}");
        if (topK is < 0) throw new MagicUsageException($"--top-k must be >= 0 (0 = all tokens), got {topK}");
        if (temperature is { } t && !(t >= 0 && t <= 100)) throw new MagicUsageException($"--temperature must be between 0 and 100, got {t}");
        AudioClip? clip = null;
        if (audio is not null)
        {
            if (!File.Exists(audio)) throw new MagicUsageException($"--audio '{audio}': no such WAV file");
            clip = AudioClip.Load(audio);
        }
        var defaults = new GenerationOptions();
        var options = defaults with
        {
            DurationSeconds = seconds ?? (clip is null ? DefaultSeconds : clip.DurationSeconds + DefaultSeconds),
            Seed = seed ?? 0,
            GuidanceScale = guidance ?? defaults.GuidanceScale,
            TopK = topK ?? defaults.TopK,
            Temperature = temperature ?? defaults.Temperature,
        };
        if (clip is not null && options.DurationSeconds <= clip.DurationSeconds)
            throw new MagicUsageException($"--seconds {options.DurationSeconds:0.##} is the total length and must exceed the audio prompt ({clip.DurationSeconds:0.##} s)");
        return new GenerationRequest(prompt ?? "", clip, audio, options);
    }

    /// <summary>Runs an (unsteered) generation on a worker thread with in-place progress and cancellation.</summary>
    internal async Task<GenerationResult> RunAsync(MusicGen model, MagicContext magic, string title)
    {
        var progress = magic.StartProgress(title);
        var steps = new SyncProgress<GenerationProgress>(p => progress.Report($"step {p.Step}/{p.TotalSteps}", p.Fraction));
        try
        {
            var result = await Task.Run(() => AudioPrompt is null
                ? model.Generate([Text], Options, null, steps, magic.CancellationToken)
                : model.Generate([Text], AudioPrompt, Options, steps, magic.CancellationToken), magic.CancellationToken);
            progress.Finish($"{result.Frames} frames, seed {result.Seed}");
            return result;
        }
        catch (OperationCanceledException)
        {
            progress.Finish("cancelled", failed: true);
            throw;
        }
        catch
        {
            progress.Finish("failed", failed: true);
            throw;
        }
    }
}
