using System.Buffers;
using System.Net;

namespace Smitin.Hub;

/// <summary>
/// Downloads one file into <c>blobs/{etag}</c>: bytes go to <c>blobs/{etag}.incomplete</c>, a broken transfer is
/// resumed from that file's length (also one left by huggingface_hub, in either its old <c>{etag}.incomplete</c> or its
/// 1.18+ <c>{etag}.{8 hex}.incomplete</c> naming, adopted under the shared lock) with a Range request (up to <c>maxRetries</c> times, then on the next run),
/// the whole content is hashed and compared with the ETag, and only a verified file is moved into place.
/// A mismatching download is deleted, so the cache never holds a corrupt blob.
/// </summary>
internal sealed class BlobDownloader(HubClient client, int maxRetries)
{
    const int BufferSize = 1 << 20;
    const long ReportEvery = 1 << 20;

    /// <param name="relocate">Asks the hub again for the file's location; used before each retry because CDN links expire.</param>
    /// <param name="report">receives download progress</param>
    /// <param name="lockPath">lock file shared with other downloaders of the blob</param>
    /// <param name="blobPath">destination blob in the cache</param>
    /// <param name="meta">size, ETag and location from the hub</param>
    /// <param name="file">path of the file in the repository</param>
    /// <param name="commit">the resolved commit</param>
    /// <param name="repo">the repository</param>
    /// <param name="ct">cancels the download (a partial file is kept for resuming)</param>
    public async Task DownloadAsync(HubRepoId repo, string commit, string file, FileMetadata meta, string blobPath, string lockPath,
        Func<CancellationToken, Task<FileMetadata>> relocate, Action<DownloadProgress> report, CancellationToken ct)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(blobPath)!);
        using var held = await CacheLock.AcquireAsync(lockPath, ct);
        string incomplete = blobPath + ".incomplete";
        if (HubCache.IsAvailable(blobPath))
        {
            RemovePartials(blobPath, incomplete);                                          // leftovers of an earlier interrupted transfer
            report(new DownloadProgress(file, meta.Size, meta.Size, DownloadPhase.Cached)); // finished by another process meanwhile
            return;
        }
        AdoptPartials(blobPath, incomplete);
        Verdict verdict;
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                if (attempt > 0) meta = await RelocateAsync(meta, relocate, ct);
                verdict = await TransferAsync(repo, commit, file, meta, incomplete, report, ct);
                break;
            }
            catch (TransferBroken e)
            {
                long kept = File.Exists(incomplete) ? new FileInfo(incomplete).Length : 0;
                if (attempt >= maxRetries)
                    throw new HubException(HubErrorKind.Network,
                        $"the connection broke while downloading {file} of {repo} ({e.Message}). {kept:N0} of {meta.Size:N0} bytes were kept in " +
                        $"{incomplete}; run again to resume from there (the rest is asked for with a Range request).", e.InnerException);
                report(new DownloadProgress(file, kept, meta.Size, DownloadPhase.Retrying));
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(500 << attempt, 8000)), ct);
            }
        }

        if (verdict.Actual is not null && verdict.Actual != verdict.Expected)
        {
            File.Delete(incomplete);
            throw new HubException(HubErrorKind.Integrity,
                $"{file} of {repo} does not match the hash the hub announced ({verdict.Algorithm} {verdict.Expected}, downloaded {verdict.Actual}). " +
                $"The download was deleted and nothing was added to the cache. Run again; if it repeats, something between you and " +
                $"{meta.Location.Authority} (proxy, mirror) alters the file.");
        }
        File.Move(incomplete, blobPath, overwrite: true);
        report(new DownloadProgress(file, meta.Size, meta.Size, DownloadPhase.Completed));
    }

    /// <summary>
    /// The partial files other clients leave for a blob: <c>{etag}.incomplete</c> (ours, and huggingface_hub before 1.18)
    /// and <c>{etag}.{8 hex}.incomplete</c> (huggingface_hub 1.18 and later, one name per attempt).
    /// </summary>
    internal static IReadOnlyList<string> SuffixedPartials(string blobPath)
    {
        string dir = Path.GetDirectoryName(blobPath)!, etag = Path.GetFileName(blobPath);
        if (!Directory.Exists(dir)) return [];
        return Directory.EnumerateFiles(dir, etag + ".*.incomplete")
            .Where(f => IsSuffixedPartial(Path.GetFileName(f), etag)).OrderBy(f => f, StringComparer.Ordinal).ToList();
    }

    static bool IsSuffixedPartial(string name, string etag) =>
        name.Length == etag.Length + 1 + 8 + ".incomplete".Length && name.StartsWith(etag + ".", StringComparison.Ordinal) &&
        name.EndsWith(".incomplete", StringComparison.Ordinal) &&
        name.AsSpan(etag.Length + 1, 8).ToString().All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f');

    /// <summary>
    /// Called holding the blob's lock (the one huggingface_hub takes while it writes a partial file, so no process is
    /// writing any of them): the longest partial of either naming becomes <paramref name="incomplete"/> and is resumed
    /// (its prefix is hashed with the rest, so a bad leftover fails the final check and is deleted); the others are removed.
    /// </summary>
    internal static void AdoptPartials(string blobPath, string incomplete)
    {
        var suffixed = SuffixedPartials(blobPath);
        if (suffixed.Count == 0) return;
        string best = suffixed.Append(incomplete).Where(File.Exists).MaxBy(f => new FileInfo(f).Length)!;
        if (best != incomplete) File.Move(best, incomplete, overwrite: true);
        foreach (var f in suffixed) if (f != best) File.Delete(f);
    }

    /// <summary>
    /// For a complete blob: removes partial files of either naming left by interrupted transfers, only when no process
    /// holds the blob's lock (a holder may be writing one of them right now); otherwise leaves them for a later run.
    /// </summary>
    /// <returns>true when leftovers were removed</returns>
    internal static bool CleanPartialsIfIdle(string blobPath, string lockPath)
    {
        string incomplete = blobPath + ".incomplete";
        if (!File.Exists(incomplete) && SuffixedPartials(blobPath).Count == 0) return false;
        using var held = CacheLock.TryAcquire(lockPath);
        if (held is null) return false;
        RemovePartials(blobPath, incomplete);
        return true;
    }

    /// <summary>Called holding the blob's lock once the blob is complete: every partial of either naming is garbage.</summary>
    internal static void RemovePartials(string blobPath, string incomplete)
    {
        foreach (var f in SuffixedPartials(blobPath)) File.Delete(f);
        if (File.Exists(incomplete)) File.Delete(incomplete);
    }

    /// <summary>A fresh download location for the same content; a hub that now announces other content is an error.</summary>
    static async Task<FileMetadata> RelocateAsync(FileMetadata meta, Func<CancellationToken, Task<FileMetadata>> relocate, CancellationToken ct)
    {
        FileMetadata fresh;
        try { fresh = await relocate(ct); }
        catch (HubException e) when (e.Kind == HubErrorKind.Network) { throw new TransferBroken(e.Message, e); }
        if (fresh.Etag != meta.Etag || fresh.Size != meta.Size)
            throw new HubException(HubErrorKind.Protocol,
                $"the hub changed its answer for the same commit during the download (ETag {meta.Etag} -> {fresh.Etag}); run again");
        return fresh;
    }

    /// <summary>The hash check's inputs: <see cref="Actual"/> is null when the ETag is not a recognised hash.</summary>
    readonly record struct Verdict(string? Expected, string? Actual, string Algorithm);

    /// <summary>A transfer that stopped early; the partial file is intact and can be resumed.</summary>
    sealed class TransferBroken(string message, Exception? inner = null) : Exception(message, inner);

    async Task<Verdict> TransferAsync(HubRepoId repo, string commit, string file, FileMetadata meta, string incomplete,
        Action<DownloadProgress> report, CancellationToken ct)
    {
        long offset = File.Exists(incomplete) ? new FileInfo(incomplete).Length : 0;
        if (offset > meta.Size) { File.Delete(incomplete); offset = 0; }

        var hash = ContentHash.For(meta.Etag, meta.Size);
        try
        {
            if (offset > 0) await HashPrefixAsync(incomplete, offset, hash, ct);
            report(new DownloadProgress(file, offset, meta.Size, DownloadPhase.Started));
            if (offset < meta.Size)
            {
                HttpResponseMessage response;
                try { response = await client.GetContentAsync(repo, commit, file, meta.Location, offset, ct); }
                catch (HubException e) when (e.Kind == HubErrorKind.Network) { throw new TransferBroken(e.Message, e); }

                using (response)
                {
                    if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
                    {
                        File.Delete(incomplete); // the server disowns our partial file: start over on the next attempt
                        throw new TransferBroken($"the server refused to resume at byte {offset}");
                    }
                    if (offset > 0 && (response.StatusCode != HttpStatusCode.PartialContent || response.Content.Headers.ContentRange?.From != offset))
                    {
                        // The server ignored the Range request and sends the whole file: start over.
                        offset = 0;
                        hash.Dispose();
                        hash = ContentHash.For(meta.Etag, meta.Size);
                    }
                    await ReceiveAsync(response, file, meta, incomplete, offset, hash, report, ct);
                }
            }
            return new Verdict(hash.Expected, hash.Finish(), hash.Algorithm);
        }
        finally
        {
            hash.Dispose();
        }
    }

    async Task ReceiveAsync(HttpResponseMessage response, string file, FileMetadata meta, string incomplete, long offset, ContentHash hash,
        Action<DownloadProgress> report, CancellationToken ct)
    {
        // Unbuffered: every received chunk reaches the file at once, so an interruption keeps all of it.
        await using var output = new FileStream(incomplete, offset == 0 ? FileMode.Create : FileMode.Append, FileAccess.Write, FileShare.None, bufferSize: 0);
        using var stall = CancellationTokenSource.CreateLinkedTokenSource(ct);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        long done = offset, reported = offset;
        try
        {
            Stream body;
            try { body = await response.Content.ReadAsStreamAsync(ct); }
            catch (Exception e) when (e is IOException or HttpRequestException) { throw new TransferBroken(e.Message, e); }

            await using (body)
            {
                while (true)
                {
                    int n;
                    stall.CancelAfter(client.Timeout);
                    try { n = await body.ReadAsync(buffer.AsMemory(0, BufferSize), stall.Token); }
                    catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
                    {
                        throw new TransferBroken($"no data for {client.Timeout.TotalSeconds:0.#} s", e);
                    }
                    catch (Exception e) when (e is IOException or HttpRequestException)
                    {
                        throw new TransferBroken(e.Message, e);
                    }
                    if (!stall.TryReset()) ct.ThrowIfCancellationRequested();
                    if (n == 0) break;
                    if (done + n > meta.Size)
                    {
                        await output.DisposeAsync();
                        File.Delete(incomplete);
                        throw new HubException(HubErrorKind.Integrity,
                            $"{meta.Location.Authority} sent more than the announced {meta.Size:N0} bytes for {file}; the download was deleted.");
                    }
                    hash.Append(buffer.AsSpan(0, n));
                    await output.WriteAsync(buffer.AsMemory(0, n), ct);
                    done += n;
                    if (done - reported >= ReportEvery || done == meta.Size)
                    {
                        reported = done;
                        report(new DownloadProgress(file, done, meta.Size, DownloadPhase.Transferring));
                    }
                }
            }
            output.Flush(flushToDisk: true);
            if (done < meta.Size)
                throw new TransferBroken($"the server closed the connection after {done:N0} of {meta.Size:N0} bytes");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    static async Task HashPrefixAsync(string path, long length, ContentHash hash, CancellationToken ct)
    {
        await using var input = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            long left = length;
            while (left > 0)
            {
                int n = await input.ReadAsync(buffer.AsMemory(0, (int)Math.Min(BufferSize, left)), ct);
                if (n == 0) throw new TransferBroken($"{path} shrank while being read");
                hash.Append(buffer.AsSpan(0, n));
                left -= n;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
