using System.Text.RegularExpressions;

namespace Smitin.Hub;

/// <summary>
/// The Hugging Face hub cache layout, as Python's <c>huggingface_hub</c> writes and reads it:
/// <code>
/// {root}/models--{owner}--{name}/
///     blobs/{etag}                   file contents, named by the hub's ETag: sha256 for LFS files, git blob sha1 otherwise
///     blobs/{etag}.incomplete        a transfer in progress or interrupted (resumed with a Range request)
///     snapshots/{commit}/{file}      relative symlink to ../../blobs/{etag} (a copy where symlinks are impossible)
///     refs/{revision}                the commit a branch or tag pointed to, 40 hex digits, no newline
///     .no_exist/{commit}/{file}      empty marker: the file does not exist at that commit
/// {root}/.locks/models--{owner}--{name}/{etag}.lock   flock held while a blob is downloaded
/// </code>
/// </summary>
internal sealed partial class HubCache(string root)
{
    public string Root { get; } = root;

    public string RepoDir(HubRepoId repo) => Path.Combine(Root, repo.CacheFolderName);
    public string SnapshotDir(HubRepoId repo, string commit) => Path.Combine(RepoDir(repo), "snapshots", commit);
    public string SnapshotFile(HubRepoId repo, string commit, string file) => Path.Combine(SnapshotDir(repo, commit), LocalRelative(file));
    public string BlobPath(HubRepoId repo, string etag) => Path.Combine(RepoDir(repo), "blobs", etag);
    public string LockPath(HubRepoId repo, string etag) => Path.Combine(Root, ".locks", repo.CacheFolderName, etag + ".lock");
    string RefPath(HubRepoId repo, string revision) => Path.Combine(RepoDir(repo), "refs", LocalRelative(revision));
    string NoExistPath(HubRepoId repo, string commit, string file) => Path.Combine(RepoDir(repo), ".no_exist", commit, LocalRelative(file));

    /// <summary>True for a full 40-digit lower-case commit hash (the only form used as a snapshot folder name).</summary>
    public static bool IsCommitHash(string text) => CommitHash().IsMatch(text);

    /// <summary>
    /// The commit the cache knows for <paramref name="revision"/>: the revision itself when it is a commit hash
    /// with a snapshot folder, else the content of <c>refs/{revision}</c>; null when unknown.
    /// </summary>
    public string? FindCommit(HubRepoId repo, string revision)
    {
        if (IsCommitHash(revision))
            return Directory.Exists(SnapshotDir(repo, revision)) ? revision : null;
        string refPath = RefPath(repo, revision);
        if (!File.Exists(refPath)) return null;
        string commit = File.ReadAllText(refPath).Trim();
        return IsCommitHash(commit) ? commit : null;
    }

    /// <summary>Records that <paramref name="revision"/> points to <paramref name="commit"/> (skipped for commit hashes and unchanged refs).</summary>
    public void WriteRef(HubRepoId repo, string revision, string commit)
    {
        if (revision == commit) return;
        string refPath = RefPath(repo, revision);
        if (File.Exists(refPath) && File.ReadAllText(refPath).Trim() == commit) return;
        AtomicFile.WriteAllText(refPath, commit);
    }

    public bool IsRecordedMissing(HubRepoId repo, string commit, string file) => File.Exists(NoExistPath(repo, commit, file));

    public void RecordMissing(HubRepoId repo, string commit, string file)
    {
        string path = NoExistPath(repo, commit, file);
        if (File.Exists(path)) return;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, []);
    }

    /// <summary>
    /// Makes <c>snapshots/{commit}/{file}</c> point at the blob with a relative symlink (so the cache survives
    /// being moved). Where symlinks cannot be created (Windows without developer mode) the blob is copied.
    /// </summary>
    public void LinkSnapshotFile(HubRepoId repo, string commit, string file, string blobPath)
    {
        string pointer = SnapshotFile(repo, commit, file);
        string dir = Path.GetDirectoryName(pointer)!;
        Directory.CreateDirectory(dir);
        string target = Path.GetRelativePath(dir, blobPath);
        if (IsAvailable(pointer) && SameFile(pointer, blobPath)) return; // already right; never make a reader see it vanish
        if (File.Exists(pointer) || new FileInfo(pointer).LinkTarget is not null) File.Delete(pointer);
        try
        {
            File.CreateSymbolicLink(pointer, target);
        }
        catch (IOException) when (IsAvailable(pointer) && SameFile(pointer, blobPath))
        {
            // Another process linked the same blob between our delete and create.
        }
        catch (Exception e) when (e is UnauthorizedAccessException or PlatformNotSupportedException or IOException)
        {
            AtomicFile.Write(pointer, dst => { using var src = File.OpenRead(blobPath); src.CopyTo(dst); });
        }
    }

    /// <summary>True when <paramref name="path"/> is a file, or a symlink whose final target is an existing file.</summary>
    public static bool IsAvailable(string path)
    {
        try
        {
            var info = new FileInfo(path);
            if (info.LinkTarget is null) return info.Exists;
            return info.ResolveLinkTarget(returnFinalTarget: true) is FileInfo { Exists: true };
        }
        catch (IOException) { return false; }
    }

    /// <summary>The byte length of an available file (following symlinks).</summary>
    public static long LengthOf(string path)
    {
        var info = new FileInfo(path);
        return info.LinkTarget is null ? info.Length : ((FileInfo)info.ResolveLinkTarget(returnFinalTarget: true)!).Length;
    }

    static bool SameFile(string pointer, string blobPath)
    {
        var info = new FileInfo(pointer);
        string resolved = info.LinkTarget is null ? info.FullName : info.ResolveLinkTarget(true)!.FullName;
        return string.Equals(Path.GetFullPath(resolved), Path.GetFullPath(blobPath), StringComparison.Ordinal);
    }

    /// <summary>
    /// Turns a repository path (forward slashes) into a relative local path, refusing anything that could escape
    /// the snapshot folder (absolute paths, <c>..</c>, empty segments, backslashes).
    /// </summary>
    public static string LocalRelative(string repoPath)
    {
        string[] parts = repoPath.Split('/');
        bool ok = repoPath.Length > 0 && !repoPath.Contains('\\') && !repoPath.Contains('\0') && !Path.IsPathRooted(repoPath)
                  && parts.All(p => p.Length > 0 && p != "." && p != "..");
        if (!ok)
            throw new HubException(HubErrorKind.Protocol, $"unsafe repository path '{repoPath}': expected a relative path without '..', '.', empty parts or backslashes");
        return Path.Combine(parts);
    }

    [GeneratedRegex("^[0-9a-f]{40}$")]
    private static partial Regex CommitHash();
}
