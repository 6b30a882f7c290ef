using Smitin.Hub;

namespace Smitin.Models;

public sealed partial class MusicGen
{
    /// <summary>
    /// Loads a model given as a local folder or a Hugging Face hub id (<c>facebook/musicgen-small</c>,
    /// <c>owner/name@revision</c>). Hub ids resolve in the cache shared with Python tools and download what is
    /// missing (see <see cref="ModelLocator"/>); <c>HF_HUB_OFFLINE=1</c> keeps it to the cache.
    /// </summary>
    /// <param name="modelOrHubId">a model folder, or a hub id <c>owner/name[@revision]</c></param>
    /// <param name="options">device and load log, as <see cref="Load"/></param>
    /// <param name="hub">endpoint, cache folder, token and retries; null = the environment's (<c>HF_ENDPOINT</c>,
    /// <c>HF_HOME</c>, <c>HF_TOKEN</c>, ...)</param>
    /// <param name="downloadProgress">bytes downloaded per file</param>
    /// <param name="ct">cancels the download (partial files are kept and resumed next time)</param>
    /// <exception cref="HubException">the repository, revision or a file is not found, access is denied, or the network
    /// fails (the message names the repository and says what to do)</exception>
    /// <exception cref="SmitinException">as <see cref="Load"/></exception>
    public static async Task<MusicGen> LoadAsync(string modelOrHubId, MusicGenLoadOptions? options = null,
        HubOptions? hub = null, IProgress<DownloadProgress>? downloadProgress = null, CancellationToken ct = default)
    {
        string folder = await ModelLocator.Resolve(modelOrHubId, null, hub, downloadProgress, ct).ConfigureAwait(false);
        ct.ThrowIfCancellationRequested();
        return Load(folder, options);
    }
}
