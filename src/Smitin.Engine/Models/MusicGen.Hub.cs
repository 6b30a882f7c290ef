using Smitin.Hub;

namespace Smitin.Models;

public sealed partial class MusicGen
{
    /// <summary>
    /// Loads a model given as a local folder or a Hugging Face hub id (<c>facebook/musicgen-small</c>,
    /// <c>owner/name@revision</c>). Hub ids resolve in the cache shared with Python tools and download what is
    /// missing (see <see cref="ModelLocator"/>); <c>HF_HUB_OFFLINE=1</c> keeps it to the cache.
    /// </summary>
    public static async Task<MusicGen> LoadAsync(string modelOrHubId, MusicGenLoadOptions? options = null,
        HubOptions? hub = null, IProgress<DownloadProgress>? downloadProgress = null, CancellationToken ct = default)
    {
        string folder = await ModelLocator.Resolve(modelOrHubId, null, hub, downloadProgress, ct).ConfigureAwait(false);
        ct.ThrowIfCancellationRequested();
        return Load(folder, options);
    }
}
