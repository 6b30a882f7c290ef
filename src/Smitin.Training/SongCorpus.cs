using System.Text.Json;
using Smitin.Audio;
using Smitin.Data.Synth;

namespace Smitin.Training;

/// <summary>
/// The synthetic generator's songs held in memory as stems (mono float at the codec's rate), so that any subset of
/// a song's stems can be mixed: the matched pairs (a song with and without one stem, everything else identical) are
/// the training mixes, the judge's data and the probing data. Each mix gets a description that names the
/// instruments present and, for drums and bass, absent ("... with drums, synth bass and piano", "...; no drums").
/// </summary>
public sealed class SongCorpus
{
    public sealed record Song(string Id, string Prefix, IReadOnlyDictionary<string, float[]> Stems,
        IReadOnlyDictionary<string, string> Instruments, int Frames);

    public IReadOnlyList<Song> Songs { get; }
    public int SampleRate { get; }

    SongCorpus(IReadOnlyList<Song> songs, int sampleRate) { Songs = songs; SampleRate = sampleRate; }

    /// <summary>Loads every finished song folder (with <c>song.json</c>) under <paramref name="dir"/>.</summary>
    /// <exception cref="SmitinException">no songs, or a song at another sample rate / without its stems.</exception>
    public static SongCorpus Load(string dir, int sampleRate, IProgress<string>? progress = null)
    {
        var folders = Directory.Exists(dir)
            ? Directory.GetDirectories(dir).Where(d => File.Exists(Path.Combine(d, "song.json"))).OrderBy(d => d, StringComparer.Ordinal).ToArray()
            : [];
        if (folders.Length == 0) throw new SmitinException($"{dir}: no synthetic songs (folders with song.json) found");
        var songs = new Song[folders.Length];
        Parallel.For(0, folders.Length, new ParallelOptions { MaxDegreeOfParallelism = 2 }, i =>
        {
            string f = folders[i];
            using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(f, "song.json")));
            var stems = new Dictionary<string, float[]>();
            var names = new Dictionary<string, string>();
            foreach (var s in doc.RootElement.GetProperty("stems").EnumerateArray())
            {
                string stem = s.GetProperty("stem").GetString()!;
                var clip = AudioClip.Load(Path.Combine(f, stem + ".wav"));
                if (clip.SampleRate != sampleRate)
                    throw new SmitinException($"{f}/{stem}.wav: sample rate {clip.SampleRate} Hz, expected {sampleRate} Hz (render the songs at the codec's rate)");
                stems[stem] = clip.ToChannels(1).Samples[0];
                string inst = s.GetProperty("instrument").GetString()!;
                names[stem] = stem == SynthStems.Lead ? "a " + inst : inst;
            }
            string description = doc.RootElement.GetProperty("description").GetString()!;
            int cut = description.IndexOf(" with ", StringComparison.Ordinal);
            string prefix = cut > 0 ? description[..cut] : description;
            songs[i] = new Song(Path.GetFileName(f), prefix, stems, names, stems.Values.Min(a => a.Length));
        });
        progress?.Report($"corpus: {songs.Length} songs from {dir}");
        return new SongCorpus(songs, sampleRate);
    }

    /// <summary>Sum of the given stems of <paramref name="song"/>.</summary>
    public static float[] Mix(Song song, IEnumerable<string> stems)
    {
        var mix = new float[song.Frames];
        foreach (var s in stems)
        {
            var a = song.Stems[s];
            for (int i = 0; i < mix.Length; i++) mix[i] += a[i];
        }
        return mix;
    }

    /// <summary>
    /// The description of a mix of <paramref name="stems"/>: the song's mood/genre/key/tempo prefix, the instruments
    /// present, and "no drums" / "no bass" when those are absent. One instrument alone is "solo ...".
    /// </summary>
    public static string Describe(Song song, IReadOnlyCollection<string> stems)
    {
        var order = SynthStems.All.Where(stems.Contains).ToList();
        var names = order.Select(s => song.Instruments[s]).ToList();
        string list = names.Count == 1 ? "solo " + names[0].Replace("a ", "", StringComparison.Ordinal)
            : string.Join(", ", names.Take(names.Count - 1)) + " and " + names[^1];
        var absent = new[] { SynthStems.Drums, SynthStems.Bass }.Where(s => !stems.Contains(s)).Select(s => "no " + s).ToList();
        return $"{song.Prefix} with {list}" + (absent.Count > 0 ? "; " + string.Join(", ", absent) : "") + ".";
    }

    /// <summary>
    /// The mixes used for training from one song: the full mixture, the mixture without drums and without bass
    /// (matched pairs), and one random subset of at least two stems.
    /// </summary>
    public static IReadOnlyList<string[]> TrainingVariants(Song song, Random rng)
    {
        var all = SynthStems.All.Where(song.Stems.ContainsKey).ToArray();
        var variants = new List<string[]> { all };
        foreach (var drop in new[] { SynthStems.Drums, SynthStems.Bass })
            if (all.Contains(drop) && all.Length > 1) variants.Add(all.Where(s => s != drop).ToArray());
        if (all.Length > 2)
        {
            var subset = all.Where(_ => rng.NextDouble() < 0.6).ToArray();
            if (subset.Length >= 1 && !variants.Any(v => v.SequenceEqual(subset))) variants.Add(subset);
        }
        return variants;
    }

    /// <summary>A random mix for codec training: each stem kept with probability 0.7 (at least one).</summary>
    public static string[] RandomStems(Song song, Random rng)
    {
        var all = song.Stems.Keys.ToArray();
        var pick = all.Where(_ => rng.NextDouble() < 0.7).ToArray();
        return pick.Length > 0 ? pick : [all[rng.Next(all.Length)]];
    }
}
