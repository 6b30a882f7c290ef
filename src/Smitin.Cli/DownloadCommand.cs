using System.CommandLine;
using Smitin.Hub;

namespace Smitin.Cli;

/// <summary>
/// <c>smitin download owner/name [--revision R]</c>: puts a model into the Hugging Face cache (shared with Python
/// tools) and prints its folder. Progress goes to stderr, the folder to stdout, so scripts can capture it.
/// </summary>
static class DownloadCommand
{
    public static Command Create()
    {
        var model = new Argument<string>("repo-id")
        {
            Description = "Hub id such as facebook/musicgen-small, optionally owner/name@revision (a local folder is printed as is).",
        };
        var revision = new Option<string?>("--revision", "-r") { Description = "Branch, tag or commit hash (default: main)." };
        var refresh = new Option<bool>("--refresh") { Description = "Ask the hub for the revision's current commit even if the cache holds a complete snapshot." };
        var cacheDir = new Option<string?>("--cache-dir") { Description = "Hub cache folder (default: HF_HUB_CACHE, else HF_HOME/hub, else ~/.cache/huggingface/hub)." };

        var cmd = new Command("download", "Download a MusicGen model from the Hugging Face hub into the shared cache and print its folder.");
        cmd.Arguments.Add(model);
        cmd.Options.Add(revision);
        cmd.Options.Add(refresh);
        cmd.Options.Add(cacheDir);
        cmd.SetAction((parse, ct) => CliRunner.Guard(async () =>
        {
            var options = new HubOptions { CacheDir = parse.GetValue(cacheDir), Refresh = parse.GetValue(refresh) };
            string dir = await ModelLocator.Resolve(parse.GetValue(model)!, parse.GetValue(revision), options, new ConsoleProgress(), ct);
            Console.WriteLine(dir);
            return 0;
        }));
        return cmd;
    }

    /// <summary>One line per file on stderr; on a terminal the transfer line is updated in place.</summary>
    internal sealed class ConsoleProgress : IProgress<DownloadProgress>
    {
        readonly bool _live = !Console.IsErrorRedirected;
        DateTime _lastDraw;
        int _lastTenth = -1;

        public void Report(DownloadProgress p)
        {
            string size = $"{Bytes(p.BytesDone)} / {Bytes(p.TotalBytes)}";
            switch (p.Phase)
            {
                case DownloadPhase.Cached:
                    Line($"  {p.File,-34} {Bytes(p.TotalBytes),10}  in cache");
                    break;
                case DownloadPhase.Started:
                    _lastTenth = -1;
                    Line(p.BytesDone > 0
                        ? $"  {p.File,-34} resuming at {Bytes(p.BytesDone)} of {Bytes(p.TotalBytes)}"
                        : $"  {p.File,-34} {Bytes(p.TotalBytes),10}  downloading", endLine: !_live);
                    break;
                case DownloadPhase.Transferring:
                    int tenth = p.TotalBytes > 0 ? (int)(p.BytesDone * 10 / p.TotalBytes) : 10;
                    if (_live && DateTime.UtcNow - _lastDraw > TimeSpan.FromMilliseconds(200))
                    {
                        _lastDraw = DateTime.UtcNow;
                        Line($"  {p.File,-34} {size}  {100.0 * p.BytesDone / Math.Max(1, p.TotalBytes),5:0.0}%", endLine: false);
                    }
                    else if (!_live && tenth != _lastTenth && tenth < 10)
                    {
                        _lastTenth = tenth;
                        Line($"  {p.File,-34} {size}");
                    }
                    break;
                case DownloadPhase.Retrying:
                    Line($"  {p.File,-34} connection lost at {Bytes(p.BytesDone)}; resuming");
                    break;
                case DownloadPhase.Completed:
                    Line($"  {p.File,-34} {Bytes(p.TotalBytes),10}  done (hash verified)");
                    break;
            }
        }

        void Line(string text, bool endLine = true)
        {
            if (_live) Console.Error.Write("\r\u001b[2K" + text + (endLine ? "\n" : ""));
            else Console.Error.WriteLine(text);
        }

        static string Bytes(long n) => n switch
        {
            >= 1L << 30 => $"{n / (double)(1L << 30):0.0} GiB",
            >= 1L << 20 => $"{n / (double)(1L << 20):0.0} MiB",
            >= 1L << 10 => $"{n / 1024.0:0.0} KiB",
            _ => $"{n} B",
        };
    }
}
