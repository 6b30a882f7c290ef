using Smitin.Hub;

namespace Smitin.Interactive.Magics;

/// <summary>Turns the <c>--model</c> text of <c>#!smitin load</c> into a local model folder (folder or hub id).</summary>
internal static class ModelSource
{
    internal static async Task<string> ResolveAsync(string model, ProgressDisplay progress, CancellationToken ct)
    {
        var downloads = new SyncProgress<DownloadProgress>(p => progress.Report(
            $"{p.File}: {p.Phase.ToString().ToLowerInvariant()} {p.BytesDone / 1e6:F1}/{p.TotalBytes / 1e6:F1} MB",
            p.TotalBytes > 0 ? (double)p.BytesDone / p.TotalBytes : null));
        try
        {
            return await ModelLocator.Resolve(model, progress: downloads, ct: ct);
        }
        catch (HubException)
        {
            throw; // network, access or cache problems: an error, not a usage problem
        }
        catch (SmitinException e)
        {
            throw new MagicUsageException($"--model: {e.Message}");
        }
    }
}
