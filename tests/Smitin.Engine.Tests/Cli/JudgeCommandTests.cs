using Smitin.Audio;
using Smitin.Judging;
using Smitin.Tests.Judging;

namespace Smitin.Tests.Cli;

/// <summary><c>smitin judge</c> and <c>smitin judge train</c> end to end, and their named errors.</summary>
public sealed class JudgeCommandTests : IDisposable
{
    readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    static readonly SemaphoreSlim OutGate = new(1, 1);

    /// <summary>Runs the CLI with stdout and stderr captured. Other tests may write to the console meanwhile: check with Contains.</summary>
    static async Task<(int Code, string Out, string Error)> RunCapturing(params string[] args)
    {
        await OutGate.WaitAsync();
        var saved = Console.Out;
        var capture = new StringWriter();
        try
        {
            Console.SetOut(TextWriter.Synchronized(capture));
            var (code, error) = await CliHost.RunCapturingErrors(args);
            return (code, capture.ToString(), error);
        }
        finally
        {
            Console.SetOut(saved);
            OutGate.Release();
        }
    }

    static AudioClip Tone(double hz, double seconds, int rate, int channels)
    {
        int n = (int)(seconds * rate);
        var x = Enumerable.Range(0, n).Select(t => 0.2f * MathF.Sin((float)(2 * Math.PI * hz * t / rate)) + (t % 4000 < 50 ? 0.3f : 0f)).ToArray();
        return AudioClip.Mono(x, rate).ToChannels(channels);
    }

    [Fact]
    public async Task Judge_prints_one_probability_per_file_and_conforms_other_rates_and_channels()
    {
        Native.TorchRuntime.Ensure();
        var judge = TraitJudgeFileTests.Random();
        string judgePath = _dir["judge-drums.json"];
        judge.Save(judgePath);
        var clips = new[] { Tone(220, 4, 16000, 1), Tone(440, 3, 44100, 2), Tone(110, 6, 32000, 1) };
        var files = clips.Select((c, i) => _dir[$"clip{i}.wav"]).ToArray();
        for (int i = 0; i < clips.Length; i++) clips[i].Save(files[i], WavEncoding.Float32);

        var (code, output, error) = await RunCapturing(["judge", "--trait", "drums", "--judge", judgePath, .. files]);
        Assert.True(code == 0, error);
        var lines = output.Split('\n').Where(l => files.Any(f => l.EndsWith("\t" + f, StringComparison.Ordinal))).ToArray();
        Assert.Equal(files.Length, lines.Length);
        for (int i = 0; i < files.Length; i++)
        {
            // The printed value is the engine's probability of the file as loaded (44.1 kHz stereo conformed inside).
            double expected = judge.Probability(AudioClip.Load(files[i]));
            Assert.Contains($"{expected.ToString("F4", System.Globalization.CultureInfo.InvariantCulture)}\t{files[i]}", lines[i]);
        }
        Assert.Contains("judge 'drums'", error);
    }

    [Fact]
    public async Task Judge_finds_the_judge_file_in_the_model_folder_or_names_what_is_missing()
    {
        Native.TorchRuntime.Ensure();
        string wav = _dir["a.wav"];
        Tone(220, 2, 16000, 1).Save(wav);
        // The fixture model folder has no judge file.
        var (code, _, error) = await RunCapturing("judge", "--model", Fixture.Model(), "--trait", "drums", wav);
        Assert.Equal(1, code);
        Assert.Contains(Path.Combine(Fixture.Model(), "judge-drums.json"), error);
        Assert.Contains("smitin judge train", error);

        // A model folder that holds judge-bass.json is used by --model/--trait.
        string model = _dir["model"];
        Directory.CreateDirectory(model);
        TraitJudgeFileTests.Random("bass").Save(Path.Combine(model, "judge-bass.json"));
        (code, var output, error) = await RunCapturing("judge", "--model", model, "--trait", "bass", wav);
        Assert.True(code == 0, error);
        Assert.Contains("\t" + wav, output);

        (code, _, error) = await RunCapturing("judge", wav);
        Assert.Equal(1, code);
        Assert.Contains("--trait is required unless --judge PATH is given", error);
        (code, _, error) = await RunCapturing("judge", "--model", model, wav);
        Assert.Contains("--trait is required unless --judge PATH is given", error);
        (code, _, error) = await RunCapturing("judge", "--judge", Path.Combine(model, "judge-bass.json"), "--trait", "drums", wav);
        Assert.Equal(1, code);
        Assert.Contains("judges 'bass'", error);
        (code, _, error) = await RunCapturing("judge", "--judge", Path.Combine(model, "judge-bass.json"));
        Assert.Contains("no WAV files given", error);
    }

    [Fact]
    public async Task Judge_names_a_bad_wav_file_before_scoring()
    {
        string judgePath = _dir["judge-drums.json"];
        TraitJudgeFileTests.Random().Save(judgePath);
        string good = _dir["good.wav"], bad = _dir["bad.wav"], shortWav = _dir["short.wav"];
        Tone(220, 2, 16000, 1).Save(good);
        File.WriteAllText(bad, "not a wav");
        Tone(220, 0.5, 16000, 1).Save(shortWav);
        var (code, output, error) = await RunCapturing("judge", "--judge", judgePath, good, bad);
        Assert.Equal(1, code);
        Assert.Contains(bad, error);
        Assert.DoesNotContain("\t" + good, output);
        (code, _, error) = await RunCapturing("judge", "--judge", judgePath, shortWav);
        Assert.Equal(1, code);
        Assert.Contains("too short", error);
    }

    [Fact]
    public async Task Judge_train_writes_one_calibrated_judge_per_trait()
    {
        Native.TorchRuntime.Ensure();
        string outDir = _dir["judges"];
        var (code, output, error) = await RunCapturing("judge", "train", "--model", Fixture.Model(), "--stems", JudgeSongs.Root,
            "--trait", "drums", "--trait", "bass", "--validation", "0.3", "--max-segments-per-track", "1", "--out", outDir);
        Assert.True(code == 0, error);
        // No --seed: one random seed for the whole command, printed on stderr and recorded in every judge file.
        var printed = System.Text.RegularExpressions.Regex.Match(error, @"smitin: seed (\d+)");
        Assert.True(printed.Success, error);
        foreach (var trait in new[] { "drums", "bass" })
        {
            var judge = TraitJudge.Load(Path.Combine(outDir, $"judge-{trait}.json"));
            var r = judge.Report;
            Assert.Equal(int.Parse(printed.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), r.Seed);
            Assert.Equal(trait, judge.Trait);
            Assert.Equal(32000, judge.SampleRate);                 // the fixture model's rate (songs are 16 kHz)
            Assert.Equal(r.TrainClips, r.TrainReconstructions);    // every training clip also through the codec
            Assert.NotNull(r.Reconstructions);                     // (the fixture codec is random: no accuracy asserted)
            Assert.Equal(r.Originals.N, r.Reconstructions!.N);
            Assert.Contains(TinyModel.Shared.Identity, r.Codec);                   // the fixture's identity (ModelIdentity)
            Assert.Contains($"trait '{trait}'", output);
        }
        Assert.Contains("held-out reconstructions: accuracy", output);
        Assert.Contains("codec: ", error);                         // progress on stderr

        (code, _, error) = await RunCapturing("judge", "train", "--model", Fixture.Model(), "--stems", JudgeSongs.Root, "--trait", "drums",
            "--validation", "1", "--out", outDir);
        Assert.Equal(1, code);
        Assert.Contains("--validation", error);
        (code, _, error) = await RunCapturing("judge", "train", "--model", Fixture.Model(), "--stems", _dir["none"], "--trait", "drums", "--out", outDir);
        Assert.Contains("--source", error);
    }
}
