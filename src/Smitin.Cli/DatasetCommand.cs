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
        var defaults = new SynthOptions();                                                   // the engine owns every default
        var outDir = new Option<string>("--out") { Description = "Output folder (new or empty; re-running with the same options resumes).", Required = true };
        var songs = new Option<int>("--songs") { Description = $"Number of songs (default {defaults.Songs})." };
        var songSeconds = new Option<double>("--song-seconds") { Description = $"Length of every song in seconds (default {defaults.Seconds})." };
        var seed = new Option<int>("--seed") { Description = $"Seed: the same seed and options give identical audio (default: {RandomSeed.Default})." };
        var sampleRate = new Option<int>("--sample-rate") { Description = $"Sample rate in Hz (default {defaults.SampleRate})." };
        var stereo = new Option<bool>("--stereo") { Description = "Write stereo stems (default mono)." };
        var float32 = new Option<bool>("--float") { Description = "Write 32-bit float WAVs (default 16-bit PCM)." };
        var soundFont = new Option<string>("--soundfont") { Description = $"General MIDI .sf2 file (default {defaults.SoundFont})." };
        var fluid = new Option<string>("--fluidsynth") { Description = $"fluidsynth program, name on PATH or path (default {defaults.FluidSynth})." };
        var jobs = new Option<int>("--jobs") { Description = "Songs rendered in parallel (default: the processor count)." };
        var cmd = new Command("synth", "Generate procedurally composed songs rendered per stem with fluidsynth, in the MUSDB18-HQ layout, with a text description per song.")
        {
            outDir, songs, songSeconds, seed, sampleRate, stereo, float32, soundFont, fluid, jobs,
        };
        cmd.SetAction((parse, cancel) => CliRunner.Guard(() =>
        {
            var options = defaults with
            {
                Songs = parse.Given(songs) ?? defaults.Songs,
                Seconds = parse.Given(songSeconds) ?? defaults.Seconds,
                Seed = parse.Given(seed) ?? defaults.Seed,
                SampleRate = parse.Given(sampleRate) ?? defaults.SampleRate,
                Channels = parse.GetValue(stereo) ? 2 : 1,
                Encoding = parse.GetValue(float32) ? WavEncoding.Float32 : WavEncoding.Pcm16,
                SoundFont = parse.GetValue(soundFont) ?? defaults.SoundFont,
                FluidSynth = parse.GetValue(fluid) ?? defaults.FluidSynth,
                Jobs = parse.Given(jobs) ?? defaults.Jobs,
            };
            options.Validate();
            string dir = parse.GetValue(outDir)!;
            var result = SyntheticSongGenerator.Generate(dir, options, new SynchronousProgress(Console.Error), cancel);
            Console.Error.WriteLine($"smitin: seed {result.Seed} (recorded in synth.json)");
            Console.WriteLine($"{result.Generated} song{(result.Generated == 1 ? "" : "s")} generated, {result.Reused} kept, in {result.Elapsed.TotalSeconds:F1} s -> {Path.GetFullPath(dir)}");
            Console.WriteLine("songs per stem: " + string.Join(", ", result.StemCounts.Select(k => $"{k.Key} {k.Value}")));
            return Task.FromResult(0);
        }));
        return cmd;
    }

    static Command Scan()
    {
        var defaults = new SegmentOptions();
        var path = new Argument<string>("path") { Description = "Stem collection folder (MUSDB18-HQ or MoisesDB layout), folder with with/ and without/, or manifest file (what probe --source takes)." };
        var trait = new Option<string>("--trait") { Description = "Stem name for stem collections (e.g. drums; several joined by '+'); a label otherwise.", DefaultValueFactory = _ => "trait" };
        var layout = new Option<StemLayout>("--layout") { Description = "Stem collection layout.", DefaultValueFactory = _ => StemLayout.Auto };
        var segmentSeconds = new Option<double>("--segment-seconds") { Description = $"Segment length in seconds (default {defaults.SegmentSeconds})." };
        var silence = new Option<double>("--silence-db") { Description = $"Skip segments whose target (or own audio) RMS is below this dBFS (default {defaults.SilenceThresholdDbfs})." };
        var validation = new Option<double>("--validation") { Description = $"Fraction of tracks for validation (default {defaults.ValidationFraction})." };
        var seed = new Option<int>("--seed") { Description = $"Seed of the track split (default: {RandomSeed.Default})." };
        var max = new Option<int>("--max-segments-per-track") { Description = "At most this many segments (pairs) per track (default: all)." };
        var cmd = new Command("scan", "Open a dataset for a trait, cut it into segments and print what would be used and skipped.")
        {
            path, trait, layout, segmentSeconds, silence, validation, seed, max,
        };
        cmd.SetAction((parse, cancel) => CliRunner.Guard(() =>
        {
            var options = defaults with
            {
                SampleRate = null, // counting only: skip resampling (window times are the same)
                SegmentSeconds = parse.Given(segmentSeconds) ?? defaults.SegmentSeconds,
                SilenceThresholdDbfs = parse.Given(silence) ?? defaults.SilenceThresholdDbfs,
                ValidationFraction = parse.Given(validation) ?? defaults.ValidationFraction,
                Seed = parse.Given(seed) ?? defaults.Seed,
                MaxSegmentsPerTrack = parse.Given(max),
            };
            options.Validate();
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
