namespace Smitin.Hub;

/// <summary>
/// Finds the folder of a model given as a local path or a Hugging Face hub id. This is what every
/// <c>--model</c> option and <c>#!smitin load</c> call.
/// <code>
/// string dir = await ModelLocator.Resolve("facebook/musicgen-small");          // cache, else download
/// string dir = await ModelLocator.Resolve("facebook/musicgen-small@v1.0");     // a branch, tag or commit
/// string dir = await ModelLocator.Resolve("/models/my-musicgen");              // a folder passes through
/// </code>
/// Hub ids live in the standard hub cache shared with Python tools (see <see cref="HubOptions"/> for the
/// environment variables and docs/model-store.md for the layout).
/// </summary>
public static class ModelLocator
{
    /// <summary>
    /// Returns a local folder with <c>config.json</c>, safetensors weights and tokenizer files.
    /// </summary>
    /// <param name="modelOrHubId">An existing folder, or <c>owner/name</c>, optionally <c>owner/name@revision</c>.</param>
    /// <param name="revision">Branch, tag or commit hash; default <c>main</c>. Must agree with an <c>@revision</c> in the id.</param>
    /// <param name="options">Cache, endpoint, token, offline mode; unset values come from the environment.</param>
    /// <param name="progress">Per-file progress of downloads (and files found in the cache).</param>
    /// <param name="ct">Cancels a download; the partial file is kept and the next call resumes it.</param>
    /// <exception cref="HubException">Not found, no access, offline without cache, network loss, hash mismatch, pickle-only weights.</exception>
    /// <exception cref="SmitinException">The argument is neither an existing folder nor a valid hub id.</exception>
    public static async Task<string> Resolve(string modelOrHubId, string? revision = null, HubOptions? options = null,
        IProgress<DownloadProgress>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(modelOrHubId);
        string text = HubOptions.ExpandHome(modelOrHubId.Trim());
        if (text.Length == 0) throw new SmitinException("model: expected a folder or a hub id such as facebook/musicgen-small, got an empty string");

        if (Directory.Exists(text)) return Path.GetFullPath(text);
        if (File.Exists(text))
            throw new SmitinException($"model '{modelOrHubId}' is a file; expected a model folder (with config.json) or a hub id such as facebook/musicgen-small");
        if (LooksLikePath(text))
            throw new SmitinException($"model folder '{Path.GetFullPath(text)}' does not exist");
        if (!HubRepoId.TryParse(text, out var repo, out string? idRevision, out string error))
            throw new SmitinException($"model '{modelOrHubId}' is neither an existing folder nor a hub id ({error}); expected a folder path or owner/name[@revision], e.g. facebook/musicgen-small");

        if (revision is not null && idRevision is not null && revision != idRevision)
            throw new SmitinException($"model '{modelOrHubId}' names revision '{idRevision}' but revision '{revision}' was also given; pass only one");
        string rev = revision ?? idRevision ?? "main";
        if (string.IsNullOrWhiteSpace(rev)) throw new SmitinException("revision: expected a branch, tag or commit hash, got an empty string");
        HubCache.LocalRelative(rev); // refuses revisions that could escape refs/

        var settings = (options ?? new HubOptions()).Settle(Environment.GetEnvironmentVariable);
        return await new SnapshotResolver(settings, progress).ResolveAsync(repo, rev, ct);
    }

    /// <summary>Text that can only mean a path: rooted, relative with ./ or ../, or with backslashes.</summary>
    static bool LooksLikePath(string text) =>
        Path.IsPathRooted(text) || text.StartsWith("./", StringComparison.Ordinal) || text.StartsWith("../", StringComparison.Ordinal)
        || text.Contains('\\') || text == "." || text == "..";
}
