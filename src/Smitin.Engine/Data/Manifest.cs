namespace Smitin.Data;

/// <summary>One line of a manifest: an audio file, whether it has the trait, and the track it belongs to.</summary>
public sealed record ManifestEntry(string Path, bool HasTrait, string TrackId);

/// <summary>
/// A plain-text list of labelled audio files. One entry per line, fields separated by a tab or a comma:
/// <code>
/// # path, label[, track]
/// clips/a.wav,1,song-a
/// clips/a-nodrums.wav,0,song-a
/// clips/b.wav,with
/// </code>
/// Labels: 1/0, true/false, yes/no, with/without, positive/negative (case-insensitive). Relative paths are relative to
/// the manifest's folder. The track (optional) keeps related files on one side of the train/validation split; it
/// defaults to the file name without extension. Blank lines and lines starting with '#' are ignored; a first line
/// whose label field is "label" is taken as a header.
/// </summary>
public static class Manifest
{
    static readonly string[] Positive = ["1", "true", "yes", "with", "positive", "pos"];
    static readonly string[] Negative = ["0", "false", "no", "without", "negative", "neg"];

    /// <summary>Reads a CSV/TSV manifest of <c>path,label[,track]</c> rows (relative paths resolve against the
    /// manifest's
    /// folder; labels 1/true/yes/with/positive or 0/false/no/without/negative).</summary>
    /// <exception cref="SmitinException">the file is missing, a row is malformed, a label is unknown or a listed file
    /// is
    /// missing (the message names the line)</exception>
    public static IReadOnlyList<ManifestEntry> Read(string manifestPath)
    {
        if (!File.Exists(manifestPath)) throw new SmitinException($"{manifestPath}: manifest file not found");
        string baseDir = Path.GetDirectoryName(Path.GetFullPath(manifestPath))!;
        var entries = new List<ManifestEntry>();
        var lines = File.ReadAllLines(manifestPath);
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            string where = $"{manifestPath}:{i + 1}";
            var f = line.Split(line.Contains('\t') ? '\t' : ',').Select(x => x.Trim()).ToArray();
            if (f.Length is < 2 or > 3)
                throw new SmitinException($"{where}: expected 'path,label' or 'path,label,track' (tab or comma separated), got {f.Length} field(s)");
            if (entries.Count == 0 && f[1].Equals("label", StringComparison.OrdinalIgnoreCase)) continue; // header
            bool label = Positive.Contains(f[1], StringComparer.OrdinalIgnoreCase) ? true
                : Negative.Contains(f[1], StringComparer.OrdinalIgnoreCase) ? false
                : throw new SmitinException($"{where}: label '{f[1]}' is not one of {string.Join("/", Positive)} (trait present) or {string.Join("/", Negative)} (absent)");
            string path = Path.GetFullPath(Path.Combine(baseDir, f[0]));
            if (!File.Exists(path)) throw new SmitinException($"{where}: audio file {f[0]} not found (looked for {path})");
            string track = f.Length == 3 && f[2].Length > 0 ? f[2] : Path.GetFileNameWithoutExtension(path);
            entries.Add(new ManifestEntry(path, label, track));
        }
        if (entries.Count == 0) throw new SmitinException($"{manifestPath}: the manifest lists no audio files");
        return entries;
    }

    /// <summary>Entries for a folder with <c>with/</c> and <c>without/</c> sub-folders of WAV files (searched recursively).
    /// The track id is the path inside with/ or without/ without extension, so <c>with/x.wav</c> and <c>without/x.wav</c> share a track.</summary>
    public static IReadOnlyList<ManifestEntry> FromLabelledFolders(string root)
    {
        string with = Path.Combine(root, "with"), without = Path.Combine(root, "without");
        if (!Directory.Exists(with) || !Directory.Exists(without))
            throw new SmitinException($"{root}: expected sub-folders 'with/' (trait present) and 'without/' (trait absent) holding WAV files");
        var entries = new List<ManifestEntry>();
        foreach (var (dir, label) in new[] { (with, true), (without, false) })
        {
            var files = Directory.GetFiles(dir, "*.wav", new EnumerationOptions { RecurseSubdirectories = true, MatchCasing = MatchCasing.CaseInsensitive })
                                 .Order(StringComparer.Ordinal).ToArray();
            if (files.Length == 0) throw new SmitinException($"{dir}: no WAV files; expected at least one labelled example");
            foreach (var f in files)
            {
                string rel = Path.GetRelativePath(dir, f).Replace('\\', '/');
                entries.Add(new ManifestEntry(Path.GetFullPath(f), label, rel[..^Path.GetExtension(rel).Length]));
            }
        }
        return entries;
    }
}
