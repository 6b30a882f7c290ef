using System.CommandLine;
using System.Globalization;
using Smitin.Audio;
using Smitin.Generation;
using Smitin.IO;
using Smitin.Models;
using TorchSharp;

namespace Smitin.Cli;

/// <summary>
/// <c>smitin generate --model DIR --text "..." [--text ...] [--audio-prompt in.wav | --melody tune.wav ...] [--duration S | --max-new-tokens N]
/// [--greedy | --top-k K --top-p P --temperature T] [--guidance G] [--seed N] --out out.wav [--codes-out codes.json]</c>:
/// text-to-music or audio continuation, one WAV per text (out.wav, out-1.wav, ...); optionally steered with probe sets
/// (<see cref="SteerOptions"/>: <c>--probes drums.probe --mode smitin|iti ... --trace-out trace.json</c>).
/// Option names and defaults: docs/options.md.
/// </summary>
static class GenerateCommand
{
    public static Command Create()
    {
        var defaults = new GenerationOptions();                                                    // the engine owns every default
        var model = CliModel.ModelOption();
        var text = new Option<string[]>("--text") { Description = "Text prompt; repeat for a batch (one output per prompt). Required unless --melody is given" };
        var melody = new Option<string[]>("--melody") { Description = "MusicGen Melody models: WAV whose melody (chroma) conditions the output; one per --text, or one for all (drums/bass are not removed: give a pre-separated stem, see docs/melody.md)" };
        var audioPrompt = new Option<string?>("--audio-prompt") { Description = "WAV to continue (converted to the model's channels and rate); its audio is re-decoded at the start of every output" };
        var duration = new Option<double>("--duration") { Description = $"Total length in seconds, the audio prompt included (default {GenerationOptions.DefaultDurationSeconds} s)" };
        var maxNewTokens = new Option<int>("--max-new-tokens") { Description = "Decoder steps instead of a duration (N steps give N + 1 - K frames for K codebooks per channel)" };
        var greedy = new Option<bool>("--greedy") { Description = "Argmax decoding instead of sampling" };
        var topK = new Option<int>("--top-k") { Description = $"Sample among the k most likely tokens (0 = all; default {defaults.TopK})" };
        var topP = new Option<double>("--top-p") { Description = $"Nucleus sampling threshold, replaces top-k when > 0 (0 = off; default {defaults.TopP})" };
        var temperature = new Option<double>("--temperature") { Description = $"Sampling temperature (0 = greedy; default {defaults.Temperature})" };
        var guidance = new Option<double>("--guidance") { Description = $"Classifier-free guidance scale, <= 1 disables it (default: the checkpoint's generation_config.json guidance_scale, else {GenerationOptions.DefaultGuidanceScale})" };
        var seed = new Option<long>("--seed") { Description = $"Sampling seed (default: {RandomSeed.Default})" };
        var output = new Option<string>("--out") { Description = "Output WAV; with several prompts also NAME-1.wav, NAME-2.wav, ...", Required = true };
        var codesOut = new Option<string?>("--codes-out") { Description = "Also write the generated codes: {\"shape\":[B,K,T],\"codes\":[[[...]]]}" };
        var maxDuration = new Option<double>("--max-duration") { Description = $"Longest window generated at once, in seconds (audiocraft's max_duration); a longer --duration is generated window by window (default: what the model's positions hold, at most {GenerationOptions.DefaultMaxDurationSeconds} s)" };
        var extendStride = new Option<double>("--extend-stride") { Description = $"Seconds each next window advances; it is prompted with the last (window - stride) seconds (audiocraft's extend_stride; default {GenerationOptions.DefaultExtendStrideFraction} of the window: 18 s of 30 s)" };
        var stream = new Option<bool>("--stream") { Description = "Write the WAV while generating: valid and playable at every moment, its header updated per chunk; prints each chunk's latency" };
        var playSteps = new Option<int>("--play-steps") { Description = $"With --stream: frames generated between chunks (Hugging Face's play_steps; default {StreamingOptions.DefaultChunkSeconds} s of frames)" };
        var pcm16 = new Option<bool>("--pcm16") { Description = "Write 16-bit PCM (clipped to [-1, 1]) instead of 32-bit float" };
        var device = CliModel.DeviceOption();
        var dtype = CliModel.DTypeOption();
        var steer = new SteerOptions();
        var cmd = new Command("generate", "Generate music from text prompts, optionally continuing an audio prompt, optionally steered (SMITIN / ITI) with probe sets.")
        {
            model, text, melody, audioPrompt, duration, maxNewTokens, maxDuration, extendStride, greedy, topK, topP, temperature, guidance, seed, output, codesOut, stream, playSteps, pcm16, device, dtype,
        };
        foreach (var option in steer.All) cmd.Options.Add(option);
        cmd.SetAction((parse, ct) => CliRunner.Guard(() =>
        {
            if (parse.GetValue(greedy))                                                          // before the model is resolved
            {
                var samplingOptions = new Option[] { topK, topP, temperature }.Where(parse.Gave).Select(o => o.Name).ToList();
                if (samplingOptions.Count > 0)
                    throw new SmitinException($"--greedy takes the argmax, so {string.Join(", ", samplingOptions)} would be ignored: give --greedy or the sampling options, not both");
            }
            string wav = parse.GetValue(output)!;
            if (Directory.Exists(wav))                                                            // before minutes of generation
                throw new SmitinException($"--out {wav} is a directory; expected a WAV file path (e.g. {Path.Combine(wav, "out.wav")})");
            string[] texts = parse.GetValue(text) ?? [];
            string[] melodyPaths = parse.GetValue(melody) ?? [];
            if (texts.Length == 0 && melodyPaths.Length == 0)
                throw new SmitinException("give at least one --text prompt (or, with a MusicGen Melody model, a --melody)");
            if (melodyPaths.Length > 0 && parse.GetValue(audioPrompt) is not null)
                throw new SmitinException("--melody and --audio-prompt cannot be combined (a MusicGen Melody model does not continue an audio prompt)");
            if (texts.Length > 0 && melodyPaths.Length > 1 && melodyPaths.Length != texts.Length)
                throw new SmitinException($"{melodyPaths.Length} --melody files for {texts.Length} --text prompts: give one per prompt, or one for all");
            var options = defaults with
            {
                TopK = parse.Given(topK) ?? defaults.TopK,
                TopP = parse.Given(topP) ?? defaults.TopP,
                Temperature = parse.Given(temperature) ?? defaults.Temperature,
                GuidanceScale = parse.Given(guidance),
                Greedy = parse.GetValue(greedy),
                Seed = parse.Given(seed),
                MaxNewTokens = parse.Given(maxNewTokens),
                DurationSeconds = parse.Given(duration),
                MaxDurationSeconds = parse.Given(maxDuration),
                ExtendStrideSeconds = parse.Given(extendStride),
            };
            options.Validate();                                                                   // before the model: bad input fails fast
            var streaming = new StreamingOptions { PlaySteps = Given(parse, playSteps) };
            streaming.Validate();
            bool streamed = parse.GetValue(stream);
            if (!streamed && streaming.PlaySteps is not null) throw new SmitinException("--play-steps sets the chunk size of --stream: give --stream too");
            var encoding = parse.GetValue(pcm16) ? WavEncoding.Pcm16 : WavEncoding.Float32;
            string dir = CliModel.Resolve(parse.GetValue(model)!, ct);
            var (traits, traceOut) = steer.Parse(parse);
            string? promptPath = parse.GetValue(audioPrompt);
            var prompt = promptPath is null ? null : AudioClip.Load(promptPath);
            if (streamed && melodyPaths.Length > 0)
                throw new SmitinException("--stream with --melody is not supported (melody generation is not streamed); leave out one of them");
            var melodies = melodyPaths.Select(AudioClip.Load).ToArray();
            ct.ThrowIfCancellationRequested();

            using var musicgen = CliModel.Load(dir, parse.GetValue(device)!, parse.GetValue(dtype));
            if (melodies.Length > 0 && !musicgen.IsMelody)
                throw new SmitinException($"--melody needs a MusicGen Melody model (config.json model_type 'musicgen_melody'); {dir} is '{musicgen.Config.ModelType}'");
            if (traits.Count > 0)
                options = options with { Steering = SteerOptions.Plan(traits, musicgen) };
            using var result = streamed
                ? Stream(musicgen, texts, prompt, options, streaming, wav, encoding, ct)
                : melodies.Length > 0 ? musicgen.Generate(texts, melodies, options, new StepLog(), ct)
                : prompt is null ? musicgen.Generate(texts, options, null, new StepLog(), ct)
                : musicgen.Generate(texts, prompt, options, new StepLog(), ct);
            if (!Console.IsErrorRedirected && !streamed) Console.Error.WriteLine();
            if (result.Plan is { IsLongForm: true } plan) Console.Error.WriteLine($"smitin: {plan.Describe()}");

            var used = result.Options;
            string sampling = used.IsGreedy ? "greedy" : $"top-k {used.TopK}, top-p {used.TopP}, temperature {used.Temperature}";
            string promptNote = result.PromptFrames > 0 ? $" ({result.PromptFrames} prompt frames)" : "";
            Console.Error.WriteLine(FormattableString.Invariant(
                $"smitin: seed {result.Seed}, {used.MaxNewTokens} steps, {sampling}, guidance {used.GuidanceScale}, codes {WeightLoader.Shape(result.Codes.shape)}{promptNote}"));
            if (result.Steering is { } record)
            {
                SteerOptions.Report(record);
                if (traceOut is not null)
                {
                    record.Save(traceOut);
                    Console.Error.WriteLine($"smitin: monitor trace -> {traceOut}");
                }
            }
            string? codesPath = parse.GetValue(codesOut);
            if (codesPath is not null) CodesJson.Write(codesPath, result.Codes);
            for (int b = 0; b < result.BatchSize && !streamed; b++)
            {
                string path = OutputPath(wav, b);
                using var item = result.Audio![b];                                                 // (C, T)
                var clip = AudioClip.FromTensor(item, result.SampleRate, "generated audio");
                clip.Save(path, encoding);
                string source = b < texts.Length ? $"\"{texts[b]}\"" : $"melody {melodyPaths[Math.Min(b, melodyPaths.Length - 1)]}";
                Console.Error.WriteLine(FormattableString.Invariant($"smitin: {source} -> {path} ({clip.Describe()})"));
            }
            return Task.FromResult(0);
        }));
        return cmd;
    }

    /// <summary>
    /// --stream: one growing WAV per prompt (<see cref="GrowingWavFile"/>), a line per chunk with its latency (time since
    /// the generation started) and the gap since the previous chunk.
    /// </summary>
    static GenerationResult Stream(MusicGen musicgen, string[] texts, AudioClip? prompt, GenerationOptions options, StreamingOptions streaming,
        string wav, WavEncoding encoding, CancellationToken ct)
    {
        var files = new GrowingWavFile?[texts.Length];
        TimeSpan previous = TimeSpan.Zero;
        try
        {
            for (int b = 0; b < texts.Length; b++) files[b] = new GrowingWavFile(OutputPath(wav, b), musicgen.SampleRate, musicgen.AudioChannels, encoding);
            void OnChunk(AudioChunk chunk)
            {
                using (chunk)
                {
                    for (int b = 0; b < texts.Length; b++)
                    {
                        using var item = chunk.Audio[b].contiguous();                                 // (C, n)
                        files[b]!.Append(Enumerable.Range(0, (int)item.shape[0]).Select(c => item[c].data<float>().ToArray()).ToArray());
                    }
                    Console.Error.WriteLine(FormattableString.Invariant(
                        $"smitin: chunk {chunk.Index}: {chunk.StartSeconds:F2}-{chunk.StartSeconds + chunk.Seconds:F2} s of audio, latency {chunk.Elapsed.TotalSeconds:F3} s (+{(chunk.Elapsed - previous).TotalSeconds:F3} s), window {chunk.Window + 1}{(chunk.IsLast ? ", last" : "")}"));
                    previous = chunk.Elapsed;
                }
            }
            var result = prompt is null
                ? musicgen.GenerateStreaming(texts, options, OnChunk, streaming, null, null, ct)
                : musicgen.GenerateStreaming(texts, prompt, options, OnChunk, streaming, null, ct);
            for (int b = 0; b < texts.Length; b++)
                Console.Error.WriteLine(FormattableString.Invariant($"smitin: \"{texts[b]}\" -> {files[b]!.Path} ({files[b]!.Channels} ch, {files[b]!.SampleRate} Hz, {files[b]!.Frames} frames ({(double)files[b]!.Frames / files[b]!.SampleRate:F3} s), streamed)"));
            return result;
        }
        finally
        {
            foreach (var f in files) f?.Dispose();
        }
    }

    /// <summary>The value of an option without a default when given, else null (a nullable option type would make
    /// System.CommandLine name "System.Nullable`1[...]" in its parse errors).</summary>
    static T? Given<T>(ParseResult parse, Option<T> option) where T : struct =>
        parse.GetResult(option) is null ? null : parse.GetValue(option);

    /// <summary>Item 0 → <paramref name="wav"/>; item b → NAME-b.ext.</summary>
    internal static string OutputPath(string wav, int item) =>
        item == 0 ? wav : Path.ChangeExtension(wav, null) + "-" + item.ToString(CultureInfo.InvariantCulture) + Path.GetExtension(wav);

    /// <summary>Progress on stderr: one line rewritten in place on a terminal, a line per tenth when redirected.</summary>
    sealed class StepLog : IProgress<GenerationProgress>
    {
        readonly bool _redirected = Console.IsErrorRedirected;

        public void Report(GenerationProgress p)
        {
            double perStep = p.Elapsed.TotalSeconds / Math.Max(1, p.Step);
            string line = FormattableString.Invariant($"smitin: step {p.Step}/{p.TotalSteps} ({perStep * 1000:F0} ms/step, {perStep * (p.TotalSteps - p.Step):F0} s left)");
            if (!_redirected) Console.Error.Write("\r" + line + "   ");
            else if (p.Step == p.TotalSteps || p.Step % Math.Max(1, p.TotalSteps / 10) == 0) Console.Error.WriteLine(line);
        }
    }
}
