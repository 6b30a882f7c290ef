using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Smitin.Audio;

namespace Smitin.Data.Synth;

/// <summary>
/// Generates a stem collection of procedurally composed songs in the MUSDB18-HQ layout:
/// <c>OUT/song_0000/{mixture,drums,bass,piano,guitar,strings,lead}.wav</c> (only the stems the song has), plus
/// <c>description.txt</c>, <c>song.json</c> and the per-stem MIDI files in <c>midi/</c>; <c>OUT/descriptions.tsv</c>
/// lists every song. Each stem is rendered by its own fluidsynth run, trimmed or padded to the exact length, and
/// levelled; the mixture is the sum of the stems (scaled together if it would clip).
///
/// Which stems a song has is a balanced seeded design over the whole collection (each stem is present in about
/// <see cref="SynthStems.Presence"/> of the songs, and with ≥ 2 songs never in all or none), so the song set depends
/// on (Seed, Songs). Everything else depends only on the seed and the song index. Two runs with the same options
/// write identical audio. Songs are written to a hidden temporary folder and renamed into place when complete, so a
/// crash never leaves a half-written song; a re-run with the same options keeps finished songs.
/// </summary>
public static class SyntheticSongGenerator
{
    const string Version = "smitin-synth-1";

    /// <summary>Target RMS per stem in dBFS before the per-song ±2 dB variation.</summary>
    static readonly IReadOnlyDictionary<string, double> LevelDb = new Dictionary<string, double>
    {
        [SynthStems.Drums] = -20, [SynthStems.Bass] = -21, [SynthStems.Piano] = -24,
        [SynthStems.Guitar] = -24, [SynthStems.Strings] = -26, [SynthStems.Lead] = -22,
    };

    /// <summary>The seed of song <paramref name="index"/> (a SplitMix64 step over seed and index).</summary>
    public static int SongSeed(int seed, int index)
    {
        ulong z = ((ulong)(uint)seed << 32 | (uint)index) + 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return (int)((z ^ (z >> 31)) & 0x7FFFFFFF);
    }

    /// <summary>Which stems each song has: balanced per stem, at least two stems per song.</summary>
    public static IReadOnlyList<string[]> StemsPerSong(int songs, int seed)
    {
        var rng = new Random(seed);
        int n = SynthStems.All.Length;
        var present = new bool[songs][];
        for (int i = 0; i < songs; i++) present[i] = new bool[n];
        var counts = new int[n];
        for (int j = 0; j < n; j++)
        {
            double p = SynthStems.Presence[SynthStems.All[j]];
            int count = songs < 2 ? (p >= 0.5 ? songs : 0) : Math.Clamp((int)Math.Round(p * songs), 1, songs - 1);
            var order = Enumerable.Range(0, songs).ToArray();
            rng.Shuffle(order);
            foreach (var i in order.Take(count)) present[i][j] = true;
            counts[j] = count;
        }
        for (int i = 0; i < songs; i++)
            while (present[i].Count(x => x) < 2)
            {
                // Add the least common missing stem, avoiding one that would then be in every song.
                int j = Enumerable.Range(0, n).Where(k => !present[i][k])
                    .OrderBy(k => songs >= 2 && counts[k] + 1 >= songs ? 1 : 0).ThenBy(k => counts[k]).ThenBy(k => k).First();
                present[i][j] = true;
                counts[j]++;
            }
        return present.Select(row => SynthStems.All.Where((_, j) => row[j]).ToArray()).ToArray();
    }

    /// <summary>The composed songs of a collection, without rendering anything (no seed: a random one).</summary>
    public static IReadOnlyList<SongPlan> Plan(SynthOptions options)
    {
        options.Validate();
        int seed = RandomSeed.Resolve(options.Seed);
        var stems = StemsPerSong(options.Songs, seed);
        return Enumerable.Range(0, options.Songs)
            .Select(i => SongComposer.Compose(i, SongSeed(seed, i), stems[i], options.Seconds)).ToArray();
    }

    /// <summary>Renders a synthetic stem collection to <paramref name="outDir"/> (MUSDB18-HQ layout: one folder per
    /// song
    /// with one WAV per stem and <c>mixture.wav</c>, MIDI, <c>song.json</c>, <c>descriptions.tsv</c>); songs already
    /// complete are kept.</summary>
    /// <param name="outDir">the collection folder (created)</param><param name="options">songs, length, rate, seed,
    /// renderer</param>
    /// <param name="progress">one line per song</param><param name="cancel">stops between songs</param>
    /// <exception cref="OptionException">an option is out of range</exception>
    /// <exception cref="SmitinException">fluidsynth or the SoundFont is missing, or a render fails</exception>
    public static SynthResult Generate(string outDir, SynthOptions options, IProgress<string>? progress = null, CancellationToken cancel = default)
    {
        options.Validate();
        options = options with { Seed = RandomSeed.Resolve(options.Seed) };                  // one seed, recorded in synth.json
        var renderer = new FluidSynthRenderer(options.FluidSynth, options.SoundFont);
        var clock = Stopwatch.StartNew();
        Directory.CreateDirectory(outDir);
        CheckOrWriteFingerprint(outDir, options);
        var plans = Plan(options);
        int generated = 0, reused = 0, done = 0;
        Parallel.ForEach(plans, new ParallelOptions { MaxDegreeOfParallelism = options.Jobs, CancellationToken = cancel }, plan =>
        {
            string final = Path.Combine(outDir, plan.Id);
            if (File.Exists(Path.Combine(final, "song.json"))) Interlocked.Increment(ref reused);
            else { RenderSong(plan, final, options, renderer, cancel); Interlocked.Increment(ref generated); }
            progress?.Report($"{plan.Id} ({Interlocked.Increment(ref done)}/{plans.Count}): {string.Join(", ", plan.Parts.Select(p => p.Stem))}");
        });
        var index = new StringBuilder("id\tstems\tdescription\n");
        foreach (var p in plans) index.Append($"{p.Id}\t{string.Join(",", p.Parts.Select(x => x.Stem))}\t{p.Description}\n");
        AtomicFile.WriteAllText(Path.Combine(outDir, "descriptions.tsv"), index.ToString());
        var stemCounts = SynthStems.All.ToDictionary(s => s, s => plans.Count(p => p.Parts.Any(x => x.Stem == s)));
        return new SynthResult(outDir, generated, reused, clock.Elapsed, stemCounts, options.Seed.Value);
    }

    /// <summary>Renders every part, levels the stems, and moves the finished song folder into place.</summary>
    static void RenderSong(SongPlan plan, string final, SynthOptions o, FluidSynthRenderer renderer, CancellationToken cancel)
    {
        string parent = Path.GetDirectoryName(Path.GetFullPath(final))!;
        string tmp = Path.Combine(parent, $".{plan.Id}.tmp-{Guid.NewGuid():N}");
        string midiDir = Path.Combine(tmp, "midi"), renderDir = Path.Combine(tmp, ".render");
        Directory.CreateDirectory(midiDir);
        Directory.CreateDirectory(renderDir);
        try
        {
            int frames = (int)Math.Round(o.Seconds * o.SampleRate);
            long endTick = (long)plan.Bars * SongPlan.TicksPerBar;
            var levelRng = new Random(plan.Seed ^ 0x1e7e1);
            var stems = new List<(string Stem, AudioClip Audio)>();
            foreach (var part in plan.Parts)
            {
                cancel.ThrowIfCancellationRequested();
                string mid = Path.Combine(midiDir, part.Stem + ".mid"), raw = Path.Combine(renderDir, part.Stem + ".wav");
                File.WriteAllBytes(mid, MidiExport.ToBytes(part, plan.Tempo, endTick));
                renderer.Render(mid, raw, o.SampleRate, cancel);
                var audio = AudioClip.Load(raw).PadOrTrim(frames).ToChannels(o.Channels);
                if (audio.Peak() < 1e-4)
                    throw new SmitinException($"{plan.Id}: the {part.Stem} stem ({part.InstrumentName}, program {part.Program}) rendered silent with {renderer.SoundFont}; expected a General MIDI SoundFont");
                double target = LevelDb[part.Stem] + (levelRng.NextDouble() * 4 - 2);
                stems.Add((part.Stem, audio.Scale((float)(Math.Pow(10, target / 20) / audio.Rms()))));
            }
            var mixture = stems.Select(s => s.Audio).Aggregate((a, b) => a.Add(b));
            float peak = mixture.Peak();
            if (peak > 0.89f)
            {
                float g = 0.89f / peak;
                stems = stems.Select(s => (s.Stem, s.Audio.Scale(g))).ToList();
                mixture = stems.Select(s => s.Audio).Aggregate((a, b) => a.Add(b));
            }
            foreach (var (stem, audio) in stems) audio.Save(Path.Combine(tmp, stem + ".wav"), o.Encoding);
            mixture.Save(Path.Combine(tmp, "mixture.wav"), o.Encoding);
            File.WriteAllText(Path.Combine(tmp, "description.txt"), plan.Description + "\n");
            File.WriteAllText(Path.Combine(tmp, "song.json"), SongJson(plan, o));
            Directory.Delete(renderDir, recursive: true);
            if (Directory.Exists(final)) Directory.Delete(final, recursive: true); // an unfinished earlier attempt (no song.json)
            Directory.Move(tmp, final);
        }
        catch
        {
            try { Directory.Delete(tmp, recursive: true); } catch (IOException) { }
            throw;
        }
    }

    static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    static string SongJson(SongPlan p, SynthOptions o) => JsonSerializer.Serialize(new
    {
        id = p.Id, generator = Version, seed = p.Seed, tempo = p.Tempo, key = p.KeyName, bars = p.Bars,
        density = Math.Round(p.Density, 3), seconds = o.Seconds, sample_rate = o.SampleRate, channels = o.Channels,
        progression = p.Progression.Select(c => c.Name),
        stems = p.Parts.Select(x => new { stem = x.Stem, program = x.Program, instrument = x.InstrumentName, style = x.Style, notes = x.Notes.Count }),
        description = p.Description,
    }, Json);

    /// <summary>An output folder belongs to one set of options; re-running with the same options resumes.</summary>
    static void CheckOrWriteFingerprint(string outDir, SynthOptions o)
    {
        var sf = new FileInfo(o.SoundFont);
        string fingerprint = JsonSerializer.Serialize(new
        {
            generator = Version, songs = o.Songs, seconds = o.Seconds, seed = o.Seed, sample_rate = o.SampleRate,
            channels = o.Channels, encoding = o.Encoding.ToString(), soundfont = sf.Name, soundfont_bytes = sf.Length,
        }, Json);
        string path = Path.Combine(outDir, "synth.json");
        if (File.Exists(path))
        {
            string existing = File.ReadAllText(path);
            if (existing != fingerprint)
            {
                string? seed = null;
                try { using var doc = JsonDocument.Parse(existing); if (doc.RootElement.TryGetProperty("seed", out var sv)) seed = sv.ToString(); }
                catch (JsonException) { }
                throw new SmitinException($"{outDir}: holds songs generated with other options (synth.json{(seed is null ? "" : $": seed {seed}")}); " +
                    $"use an empty folder or the same options{(seed is null ? ", --seed included," : $" (--seed {seed})")} to resume");
            }
            return;
        }
        if (Directory.EnumerateFileSystemEntries(outDir).Any(e => !Path.GetFileName(e).StartsWith('.')))
            throw new SmitinException($"{outDir}: folder is not empty and has no synth.json; expected an empty or new folder");
        AtomicFile.WriteAllText(path, fingerprint);
    }
}
