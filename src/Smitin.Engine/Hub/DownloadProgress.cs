namespace Smitin.Hub;

/// <summary>Where one file of a model snapshot stands.</summary>
public enum DownloadPhase
{
    /// <summary>Already in the cache; nothing transferred. <see cref="DownloadProgress.BytesDone"/> = size.</summary>
    Cached,
    /// <summary>Transfer begins. <see cref="DownloadProgress.BytesDone"/> &gt; 0 means it resumes a partial download.</summary>
    Started,
    /// <summary>Bytes arrived.</summary>
    Transferring,
    /// <summary>The connection broke; the partial file is kept and the transfer resumes after a short wait.</summary>
    Retrying,
    /// <summary>Transferred, hash verified and moved into the cache.</summary>
    Completed,
}

/// <summary>Progress of one file: <paramref name="File"/> is the repository path (e.g. <c>model.safetensors</c>).</summary>
public readonly record struct DownloadProgress(string File, long BytesDone, long TotalBytes, DownloadPhase Phase);
