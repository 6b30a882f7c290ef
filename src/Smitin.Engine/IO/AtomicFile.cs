namespace Smitin;

/// <summary>
/// Atomic writes for user artefacts (probe sets, caches, audio): write to a temporary file in the
/// target directory, flush, then rename over the target. A crash leaves either the old file or the new
/// one, never half of it.
/// </summary>
public static class AtomicFile
{
    /// <summary>Writes <paramref name="data"/> to <paramref name="path"/> atomically (temporary file, then
    /// rename).</summary>
    /// <exception cref="IOException">the folder does not exist or cannot be written</exception>
    /// <exception cref="UnauthorizedAccessException">no permission to write there</exception>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> data)
    {
        var bytes = data.ToArray();
        Write(path, s => s.Write(bytes));
    }

    /// <summary>Writes <paramref name="text"/> as UTF-8 to <paramref name="path"/> atomically.</summary>
    /// <exception cref="IOException">the folder does not exist or cannot be written</exception>
    /// <exception cref="UnauthorizedAccessException">no permission to write there</exception>
    public static void WriteAllText(string path, string text) =>
        WriteAllBytes(path, System.Text.Encoding.UTF8.GetBytes(text));

    /// <summary>
    /// Checks, before any long work, that a file can later be written at <paramref name="path"/>: it is not a folder,
    /// its nearest existing ancestor is a folder, and a file can be created there (created and deleted at once).
    /// </summary>
    /// <param name="option">vocabulary name of the option that gave the path (for the message), e.g. <c>out</c></param>
    /// <exception cref="OptionException">the path cannot be written; the message names the path and why</exception>
    /// <param name="path">the file to be written later</param>
    public static void CheckWritable(string path, string option)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new OptionException(option, "expected a file path, got an empty value");
        if (Directory.Exists(path)) throw new OptionException(option, $"{path}: is a folder; expected a file path");
        CheckFolderWritable(Path.GetDirectoryName(Path.GetFullPath(path))!, path, option);
    }

    /// <summary>Checks that a folder exists or can be created at <paramref name="path"/> and that files can be written in it.</summary>
    /// <exception cref="OptionException">the path is a file, or is under a file, or is not writable</exception>
    public static void CheckWritableFolder(string path, string option)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new OptionException(option, "expected a folder path, got an empty value");
        if (File.Exists(path)) throw new OptionException(option, $"{path}: is a file; expected a folder");
        CheckFolderWritable(Path.GetFullPath(path), path, option);
    }

    static void CheckFolderWritable(string folder, string given, string option)
    {
        string? existing = folder;
        while (existing is not null && !Directory.Exists(existing))
        {
            if (File.Exists(existing)) throw new OptionException(option, $"{given}: {existing} is a file, not a folder");
            existing = Path.GetDirectoryName(existing);
        }
        if (existing is null) throw new OptionException(option, $"{given}: no existing parent folder");
        string probe = Path.Combine(existing, $".smitin-write-check.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose)) { }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new OptionException(option, $"{given}: cannot write in {existing} ({e.Message})");
        }
    }

    /// <summary>Runs <paramref name="writer"/> against a temporary file, then moves it into place.</summary>
    public static void Write(string path, Action<Stream> writer)
    {
        string full = Path.GetFullPath(path);
        string dir = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(dir);
        string tmp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                writer(fs);
                fs.Flush(flushToDisk: true);
            }
            File.Move(tmp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(tmp); } catch (IOException) { }
            throw;
        }
    }
}
