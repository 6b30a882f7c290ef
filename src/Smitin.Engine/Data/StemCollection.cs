using Smitin.Audio;

namespace Smitin.Data;

/// <summary>Which folder layout a stem collection uses.</summary>
public enum StemLayout
{
    /// <summary>Detect per track folder: WAV files directly inside → MUSDB18-HQ; data.json or stem sub-folders → MoisesDB.</summary>
    Auto,
    /// <summary>One folder per track with <c>mixture.wav</c> and one WAV per stem (<c>drums.wav</c>, <c>bass.wav</c>, ...).</summary>
    Musdb,
    /// <summary>One folder per track with <c>data.json</c> and one sub-folder per stem holding one or more WAVs (summed).</summary>
    Moises,
}

/// <summary>One song of a stem collection. Every file in it has the same rate and length (checked when opened).</summary>
/// <param name="Id">Path of the track folder relative to the collection root, with '/' separators.</param>
/// <param name="Stems">Stem name (file name without ".wav", or MoisesDB sub-folder name) → its WAV files (summed).</param>
/// <param name="MixturePath"><c>mixture.wav</c> if present (always for MUSDB18-HQ); only validated, never used as audio.</param>
/// <param name="Channels">The most channels of any file in the track (mono files are upmixed by copying).</param>
/// <param name="SampleRate">Sample rate of every stem in Hz (stems of different rates are refused).</param>
/// <param name="Frames">Length of every stem in samples per channel.</param>
/// <param name="Layout">MUSDB18-HQ or MoisesDB.</param>
/// <param name="Directory">The track's folder.</param>
public sealed record StemTrack(
    string Id, string Directory, StemLayout Layout,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Stems,
    string? MixturePath, int SampleRate, long Frames, int Channels)
{
    /// <summary>Length of the track in seconds.</summary>
    public double DurationSeconds => (double)Frames / SampleRate;

    /// <summary>True if the track has a stem of this name (case-insensitive).</summary>
    public bool HasStem(string name) => Stems.ContainsKey(name);
}

/// <summary>
/// A folder of multitrack songs in the MUSDB18-HQ or MoisesDB layout, found by walking up to three folder levels
/// below the root (so both <c>musdb18hq/</c> with <c>train/</c> and <c>test/</c> and a single split folder work).
/// Opening reads only WAV headers: a corrupt file, a MUSDB track without <c>mixture.wav</c>, or stems of different
/// rates or lengths are <see cref="SmitinException"/>s before any audio is decoded.
/// </summary>
public sealed class StemCollection
{
    const int MaxDepth = 3;
    /// <summary>The folder opened.</summary>
    public string Root { get; }
    /// <summary>Every track found, sorted by id.</summary>
    public IReadOnlyList<StemTrack> Tracks { get; }

    StemCollection(string root, IReadOnlyList<StemTrack> tracks) { Root = root; Tracks = tracks; }

    /// <summary>All stem names that occur, sorted.</summary>
    public IReadOnlyList<string> StemNames =>
        Tracks.SelectMany(t => t.Stems.Keys).Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.OrdinalIgnoreCase).ToArray();

    /// <summary>Opens a stem collection, reading only WAV headers.</summary>
    /// <param name="root">the collection folder (MUSDB18-HQ or MoisesDB layout, up to three levels deep)</param>
    /// <param name="layout">the layout, or <see cref="StemLayout.Auto"/> to detect it per track</param>
    /// <exception cref="SmitinException">the folder is missing or holds no track, a WAV file is corrupt, a MUSDB track
    /// has no <c>mixture.wav</c>, or a track's stems differ in rate or length</exception>
    public static StemCollection Open(string root, StemLayout layout = StemLayout.Auto)
    {
        if (!Directory.Exists(root)) throw new SmitinException($"{root}: stem collection folder not found");
        var tracks = new List<StemTrack>();
        Scan(Path.GetFullPath(root), Path.GetFullPath(root), layout, 0, tracks);
        if (tracks.Count == 0)
            throw new SmitinException($"{root}: no tracks found; expected track folders in the MUSDB18-HQ layout (mixture.wav + drums.wav, bass.wav, ...) " +
                                      "or the MoisesDB layout (data.json + one sub-folder of WAVs per stem), at most three levels down");
        return new StemCollection(root, tracks);
    }

    static void Scan(string root, string dir, StemLayout layout, int depth, List<StemTrack> tracks)
    {
        var wavs = Wavs(dir);
        var subdirs = Directory.GetDirectories(dir).Where(d => !Path.GetFileName(d).StartsWith('.')).Order(StringComparer.Ordinal).ToArray();
        bool hasJson = File.Exists(Path.Combine(dir, "data.json"));
        // A MoisesDB stem folder never holds a mixture.wav; a MUSDB split folder ("train/") holds track folders that do.
        bool moisesLike = hasJson || (subdirs.Any(d => Wavs(d).Length > 0) && !subdirs.Any(d => File.Exists(Path.Combine(d, "mixture.wav"))));

        if (layout != StemLayout.Moises && wavs.Length > 0 && !hasJson)
            tracks.Add(MusdbTrack(root, dir, wavs));
        else if (layout != StemLayout.Musdb && moisesLike)
            tracks.Add(MoisesTrack(root, dir, subdirs, wavs));
        else if (depth < MaxDepth)
            foreach (var d in subdirs) Scan(root, d, layout, depth + 1, tracks);
    }

    static string[] Wavs(string dir) =>
        Directory.GetFiles(dir).Where(f => f.EndsWith(".wav", StringComparison.OrdinalIgnoreCase) && !Path.GetFileName(f).StartsWith('.'))
                 .Order(StringComparer.Ordinal).ToArray();

    static string TrackId(string root, string dir)
    {
        string rel = Path.GetRelativePath(root, dir).Replace('\\', '/');
        return rel == "." ? Path.GetFileName(dir) : rel;
    }

    static StemTrack MusdbTrack(string root, string dir, string[] wavs)
    {
        string? mixture = wavs.FirstOrDefault(f => Path.GetFileName(f).Equals("mixture.wav", StringComparison.OrdinalIgnoreCase));
        if (mixture is null)
            throw new SmitinException($"{dir}: track folder has {string.Join(", ", wavs.Select(Path.GetFileName))} but no mixture.wav; " +
                                      "expected the MUSDB18-HQ layout (mixture.wav next to one WAV per stem)");
        var stems = new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase);
        foreach (var f in wavs)
            if (f != mixture) stems[Path.GetFileNameWithoutExtension(f)] = [f];
        if (stems.Count == 0) throw new SmitinException($"{dir}: track folder has mixture.wav but no stem WAVs; expected drums.wav, bass.wav, ...");
        return Validated(TrackId(root, dir), dir, StemLayout.Musdb, stems, mixture);
    }

    static StemTrack MoisesTrack(string root, string dir, string[] subdirs, string[] topWavs)
    {
        var stems = new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase);
        foreach (var d in subdirs)
        {
            var files = Wavs(d);
            if (files.Length > 0) stems[Path.GetFileName(d)] = files;
        }
        if (stems.Count == 0)
            throw new SmitinException($"{dir}: track folder has data.json but no stem sub-folders with WAV files; expected the MoisesDB layout (e.g. drums/<id>.wav, bass/<id>.wav)");
        string? mixture = topWavs.FirstOrDefault(f => Path.GetFileName(f).Equals("mixture.wav", StringComparison.OrdinalIgnoreCase));
        return Validated(TrackId(root, dir), dir, StemLayout.Moises, stems, mixture);
    }

    /// <summary>Reads every header and checks that all files agree on rate and length.</summary>
    static StemTrack Validated(string id, string dir, StemLayout layout, Dictionary<string, IReadOnlyList<string>> stems, string? mixture)
    {
        var files = stems.Values.SelectMany(f => f).ToList();
        if (mixture is not null) files.Insert(0, mixture);
        var infos = files.Select(AudioClip.ReadInfo).ToList();
        var first = infos[0];
        foreach (var i in infos)
        {
            if (i.SampleRate != first.SampleRate)
                throw new SmitinException($"track '{id}': {Rel(dir, i.Path)} is {i.SampleRate} Hz but {Rel(dir, first.Path)} is {first.SampleRate} Hz; " +
                                          "expected every stem (and mixture.wav) at the same sample rate");
            if (i.Frames != first.Frames)
                throw new SmitinException($"track '{id}': {Rel(dir, i.Path)} has {i.Frames} frames but {Rel(dir, first.Path)} has {first.Frames}; " +
                                          "expected every stem (and mixture.wav) to have the same length");
        }
        return new StemTrack(id, dir, layout, stems, mixture, first.SampleRate, first.Frames, infos.Max(i => i.Channels));
    }

    static string Rel(string dir, string path) => Path.GetRelativePath(dir, path);
}
