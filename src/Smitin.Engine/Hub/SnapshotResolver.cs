namespace Smitin.Hub;

/// <summary>
/// Turns <c>owner/name@revision</c> into a complete snapshot folder of the hub cache:
/// <list type="number">
/// <item>Cache first: when the cache knows the revision's commit (<c>refs/{revision}</c>, or the commit hash itself)
/// and that snapshot has everything <see cref="ModelFiles"/> needs, it is returned without any request
/// (unless <see cref="HubSettings.Refresh"/>). Offline mode stops here, with an error if the cache falls short.</item>
/// <item>Otherwise the hub names the revision's commit and files; each wanted file not yet in the snapshot is
/// linked from an existing blob or downloaded (<see cref="BlobDownloader"/>); files the repository lacks are
/// recorded in <c>.no_exist</c>; finally <c>refs/{revision}</c> is written.</item>
/// </list>
/// </summary>
internal sealed class SnapshotResolver
{
    readonly HubSettings _settings;
    readonly HubCache _cache;
    readonly HubClient _client;
    readonly BlobDownloader _downloader;
    readonly IProgress<DownloadProgress>? _progress;

    public SnapshotResolver(HubSettings settings, IProgress<DownloadProgress>? progress)
    {
        _settings = settings;
        _cache = new HubCache(settings.CacheDir);
        _client = new HubClient(settings);
        _downloader = new BlobDownloader(_client, settings.MaxRetries);
        _progress = progress;
    }

    public async Task<string> ResolveAsync(HubRepoId repo, string revision, CancellationToken ct)
    {
        string? cachedCommit = _cache.FindCommit(repo, revision);
        bool cachedComplete = cachedCommit is not null && ModelFiles.MissingFromSnapshot(_cache, repo, cachedCommit).Count == 0;

        if (_settings.Offline) return OfflineSnapshot(repo, revision, cachedCommit);
        if (cachedComplete && !_settings.Refresh) return _cache.SnapshotDir(repo, cachedCommit!);

        RevisionInfo info;
        try
        {
            info = await _client.GetRevisionAsync(repo, revision, ct);
        }
        catch (HubException e) when (e.Kind == HubErrorKind.Network && cachedComplete)
        {
            return _cache.SnapshotDir(repo, cachedCommit!); // hub unreachable during a refresh: the cached snapshot still serves
        }
        catch (HubException e) when (e.Kind == HubErrorKind.Network)
        {
            throw new HubException(HubErrorKind.Network,
                $"{e.Message}. Nothing was downloaded and the cache {_settings.CacheDir} has no usable snapshot of {repo}@{revision}. " +
                "Check the connection (or HF_ENDPOINT), or use HF_HUB_OFFLINE=1 with a model already in the cache.", e);
        }

        await DownloadSnapshotAsync(repo, info, revision, ct);
        _cache.WriteRef(repo, revision, info.Commit);
        return _cache.SnapshotDir(repo, info.Commit);
    }

    string OfflineSnapshot(HubRepoId repo, string revision, string? commit)
    {
        if (commit is null)
            throw new HubException(HubErrorKind.OfflineNotCached,
                $"offline mode (HF_HUB_OFFLINE) is on and the cache {_settings.CacheDir} has no snapshot of {repo}@{revision} " +
                $"(no {repo.CacheFolderName}/refs/{revision}). Download it once while online (`smitin download {repo}`, or any Python tool " +
                "using the same cache), or unset HF_HUB_OFFLINE.");
        var missing = ModelFiles.MissingFromSnapshot(_cache, repo, commit);
        if (missing.Count > 0)
            throw new HubException(HubErrorKind.OfflineNotCached,
                $"offline mode (HF_HUB_OFFLINE) is on and the cached snapshot {commit} of {repo}@{revision} lacks {string.Join(", ", missing)}. " +
                $"Run `smitin download {repo}` once while online to complete it, or unset HF_HUB_OFFLINE.");
        return _cache.SnapshotDir(repo, commit);
    }

    async Task DownloadSnapshotAsync(HubRepoId repo, RevisionInfo info, string revision, CancellationToken ct)
    {
        var available = info.Files.ToHashSet(StringComparer.Ordinal);
        var layout = ModelFiles.ChooseWeights(repo, revision, available);
        var done = new List<string>();
        try
        {
            await EnsureFileAsync(repo, info.Commit, ModelFiles.Config, done, ct);
            foreach (string file in ModelFiles.Optional)
            {
                if (available.Contains(file)) await EnsureFileAsync(repo, info.Commit, file, done, ct);
                else _cache.RecordMissing(repo, info.Commit, file);
            }
            if (layout == ModelFiles.WeightsLayout.Single)
            {
                await EnsureFileAsync(repo, info.Commit, ModelFiles.Weights, done, ct);
                return;
            }
            await EnsureFileAsync(repo, info.Commit, ModelFiles.WeightsIndex, done, ct);
            foreach (string shard in ModelFiles.ReadShards(_cache.SnapshotFile(repo, info.Commit, ModelFiles.WeightsIndex)))
            {
                if (!available.Contains(shard))
                    throw new HubException(HubErrorKind.NotFound,
                        $"{ModelFiles.WeightsIndex} of {repo}@{revision} names the shard '{shard}', which the repository does not contain.");
                await EnsureFileAsync(repo, info.Commit, shard, done, ct);
            }
        }
        catch (HubException e) when (e.Kind == HubErrorKind.Network && done.Count > 0)
        {
            throw new HubException(HubErrorKind.Network,
                $"{e.Message} Already complete in the cache and not fetched again: {string.Join(", ", done)}.", e);
        }
    }

    /// <summary>Makes <c>snapshots/{commit}/{file}</c> available: already there, linked from a cached blob, or downloaded.</summary>
    async Task EnsureFileAsync(HubRepoId repo, string commit, string file, List<string> done, CancellationToken ct)
    {
        string pointer = _cache.SnapshotFile(repo, commit, file);
        if (HubCache.IsAvailable(pointer))
        {
            if (new FileInfo(pointer).ResolveLinkTarget(returnFinalTarget: true) is { } target && Path.GetDirectoryName(target.FullName) == Path.GetFullPath(Path.Combine(_cache.RepoDir(repo), "blobs")))
                BlobDownloader.CleanPartialsIfIdle(target.FullName, _cache.LockPath(repo, target.Name));
            long size = HubCache.LengthOf(pointer);
            _progress?.Report(new DownloadProgress(file, size, size, DownloadPhase.Cached));
            done.Add(file);
            return;
        }

        var meta = await _client.GetFileMetadataAsync(repo, commit, file, ct);
        string blob = _cache.BlobPath(repo, meta.Etag);
        if (HubCache.IsAvailable(blob))
        {
            BlobDownloader.CleanPartialsIfIdle(blob, _cache.LockPath(repo, meta.Etag));
            _progress?.Report(new DownloadProgress(file, meta.Size, meta.Size, DownloadPhase.Cached));
        }
        else
            await _downloader.DownloadAsync(repo, commit, file, meta, blob, _cache.LockPath(repo, meta.Etag),
                token => _client.GetFileMetadataAsync(repo, commit, file, token), p => _progress?.Report(p), ct);
        _cache.LinkSnapshotFile(repo, commit, file, blob);
        done.Add(file);
    }
}
