using System.CommandLine;
using Smitin.Audio;
using Smitin.Data;
using Smitin.Data.Synth;

namespace Smitin.Cli;

/// <summary>
/// <c>smitin dataset synth</c>: generate a synthetic stem collection (MUSDB18-HQ layout) with fluidsynth.
/// <c>smitin dataset scan</c>: open a stem collection, labelled folder or manifest for a trait and report the segments.
/// </summary>
static class DatasetCommand
{
    public static Command Create()
    {
        var cmd = new Command("dataset", "Probe datasets: generate synthetic songs with stems, or inspect a dataset for a trait.");
        cmd.Subcommands.Add(Synth());
        cmd.Subcommands.Add(Scan());
        return cmd;
    }

    static Command Synth()
    {
        var outDir = new Option<string>("--out") { Description = "Output folder (new or empty; re-running with the same options resumes).", Required = true };
        var songs = new Option<int>("--songs") { Description = "Number of songs.", DefaultValueFactory = _ => 200 };
        var seconds = new Option<double>("--seconds") { Description = "Length of every song in seconds.", DefaultValueFactory = _ => 30 };
        var seed = new Option<int>("--seed") { Description = "Seed: the same seed and options give identical audio.", DefaultValueFactory = _ => 0 };
        var rate = new Option<int>("--rate") { Description = "Sample rate in Hz.", DefaultValueFactory = _ => 32000 };
        var stereo = new Option<bool>("--stereo") { Description = "Write stereo stems (default mono)." };
        var float32 = new Option<bool>("--float") { Description = "Write 32-bit float WAVs (default 16-bit PCM)." };
        var soundFont = new Option<string>("--soundfont") { Description = "General MIDI .sf2 file.", DefaultValueFactory = _ => FluidSynthRenderer.DefaultSoundFont };
        var fluid = new Option<string>("--fluidsynth") { Description = "fluidsynth program (name on PATH or path).", DefaultValueFactory = _ => "fluidsynth" };
        var jobs = new Option<int>("--jobs") { Description = "Songs rendered in parallel.", DefaultValueFactory = _ => Environment.ProcessorCount };
        var cmd = new Command("synth", "Generate procedurally composed songs rendered per stem with fluidsynth, in the MUSDB18-HQ layout, with a text description per song.")
        {
            outDir, songs, seconds, seed, rate, stereo, float32, soundFont, fluid, jobs,
        };
        cmd.SetAction((parse, cancel) => CliRunner.Guard(() =>
        {
            var options = new SynthOptions
            {
                Songs = parse.GetValue(songs), Seconds = parse.GetValue(seconds), Seed = parse.GetValue(seed),
                SampleRate = parse.GetValue(rate), Channels = parse.GetValue(stereo) ? 2 : 1,
                Encoding = parse.GetValue(float32) ? WavEncoding.Float32 : WavEncoding.Pcm16,
                SoundFont = parse.GetValue(soundFont)!, FluidSynth = parse.GetValue(fluid)!, Jobs = parse.GetValue(jobs),
            };
            string dir = parse.GetValue(outDir)!;
            var result = SyntheticSongGenerator.Generate(dir, options, new SynchronousProgress(Console.Error), cancel);
            Console.WriteLine($"{result.Generated} songs generated, {result.Reused} kept, in {result.Elapsed.TotalSeconds:F1} s -> {Path.GetFullPath(dir)}");
            Console.WriteLine("songs per stem: " + string.Join(", ", result.StemCounts.Select(k => $"{k.Key} {k.Value}")));
            return Task.FromResult(0);
        }));
        return cmd;
    }

    static Command Scan()
    {
        var path = new Argument<string>("path") { Description = "Stem collection folder (MUSDB18-HQ or MoisesDB layout), folder with with/ and without/, or manifest file." };
        var trait = new Option<string>("--trait") { Description = "Stem name for stem collections (e.g. drums; several joined by '+'); a label otherwise.", DefaultValueFactory = _ => "trait" };
        var layout = new Option<StemLayout>("--layout") { Description = "Stem collection layout.", DefaultValueFactory = _ => StemLayout.Auto };
        var segment = new Option<double>("--segment-seconds") { Description = "Segment length.", DefaultValueFactory = _ => 3.0 };
        var silence = new Option<double>("--silence-db") { Description = "Skip segments whose target (or own audio) RMS is below this dBFS.", DefaultValueFactory = _ => -45.0 };
        var val = new Option<double>("--validation") { Description = "Fraction of tracks for validation.", DefaultValueFactory = _ => 0.2 };
        var seed = new Option<int>("--seed") { Description = "Seed of the track split.", DefaultValueFactory = _ => 0 };
        var max = new Option<int?>("--max-per-track") { Description = "At most this many segments (pairs) per track." };
        var cmd = new Command("scan", "Open a dataset for a trait, cut it into segments and print what would be used and skipped.")
        {
            path, trait, layout, segment, silence, val, seed, max,
        };
        cmd.SetAction((parse, cancel) => CliRunner.Guard(() =>
        {
            double segmentValue = parse.GetValue(segment), validationValue = parse.GetValue(val);
            if (!(segmentValue > 0) || double.IsInfinity(segmentValue)) throw new SmitinException($"--segment-seconds must be a positive number of seconds, got {segmentValue}");
            if (!(validationValue >= 0 && validationValue < 1)) throw new SmitinException($"--validation must be a fraction in [0, 1), got {validationValue}");
            if (parse.GetValue(max) is < 1) throw new SmitinException($"--max-per-track must be at least 1, got {parse.GetValue(max)}");
            var options = new SegmentOptions
            {
                SampleRate = null, // counting only: skip resampling (window times are the same)
                SegmentSeconds = parse.GetValue(segment), SilenceThresholdDbfs = parse.GetValue(silence),
                ValidationFraction = parse.GetValue(val), Seed = parse.GetValue(seed), MaxSegmentsPerTrack = parse.GetValue(max),
            };
            var ds = ProbeDataset.Open(parse.GetValue(path)!, parse.GetValue(trait)!, options, parse.GetValue(layout));
            foreach (var _ in ds.Train) cancel.ThrowIfCancellationRequested();
            foreach (var _ in ds.Validation) cancel.ThrowIfCancellationRequested();
            Console.WriteLine(ds.Report);
            return Task.FromResult(0);
        }));
        return cmd;
    }

    /// <summary>Prints progress lines immediately on the calling thread (Progress&lt;T&gt; would post them later).</summary>
    sealed class SynchronousProgress(TextWriter writer) : IProgress<string>
    {
        public void Report(string value) { lock (writer) writer.WriteLine("  " + value); }
    }
}
