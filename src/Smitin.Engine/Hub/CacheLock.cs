using System.Diagnostics;

namespace Smitin.Hub;

/// <summary>
/// An exclusive lock on <c>.locks/models--owner--name/{etag}.lock</c>, the file Python's <c>huggingface_hub</c>
/// locks (with <c>filelock</c>, i.e. <c>flock</c>) while it downloads the same blob. On Unix .NET takes an
/// <c>flock</c> for <see cref="FileShare.None"/>, so Smitin and Python processes exclude each other. Waits while
/// another process holds it; gives up after <see cref="MaxWait"/>.
/// </summary>
internal sealed class CacheLock : IDisposable
{
    static readonly TimeSpan MaxWait = TimeSpan.FromMinutes(10);
    static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(200);
    readonly FileStream _stream;

    CacheLock(FileStream stream) => _stream = stream;

    public static async Task<CacheLock> AcquireAsync(string path, CancellationToken ct)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var waited = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return new CacheLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (IOException) when (waited.Elapsed < MaxWait)
            {
                await Task.Delay(Poll, ct);
            }
            catch (IOException e)
            {
                throw new HubException(HubErrorKind.Locked,
                    $"another process has held {path} for {MaxWait.TotalMinutes:0} minutes (a download by Python or another smitin?). " +
                    "If no download is running, delete the lock file and retry.", e);
            }
        }
    }

    /// <summary>The lock if no process holds it now, else null (never waits).</summary>
    public static CacheLock? TryAcquire(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        try { return new CacheLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None)); }
        catch (IOException) { return null; }
    }

    public void Dispose() => _stream.Dispose();
}
