using Microsoft.DotNet.Interactive.Formatting;
using Smitin.Audio;
using Smitin.Data;
using Smitin.Models;
using Smitin.Probing;
using Smitin.Viz;

namespace Smitin.Interactive.Formatting;

/// <summary>
/// Registers the HTML formatters for engine types. The formatter registry is process-wide (and emptied by
/// <c>Formatter.ResetToDefault()</c>), so <see cref="SmitinExtension.Load"/> registers on every call instead of
/// guarding with a static flag; registering twice is harmless (the newest registration wins).
/// </summary>
internal static class SmitinFormatters
{
    internal static void Register()
    {
        Register<MusicGen>(ModelHtml.Render);
        Register<AudioClip>(AudioClipHtml.Render);
        Register<ProbeDataset>(DatasetHtml.Render);
        Register<ProbeSet>(ProbeSetHtml.Render);
        Register<MonitorTrace>(MonitorTraceHtml.Render);
        Register<MonitorChart>(MonitorTraceHtml.Render);
    }

    static void Register<T>(Func<T, string> html)
    {
        Formatter.Register<T>((value, writer) => writer.Write(html(value)), HtmlFormatter.MimeType);
        Formatter.SetPreferredMimeTypesFor(typeof(T), HtmlFormatter.MimeType, PlainTextFormatter.MimeType);
    }
}
