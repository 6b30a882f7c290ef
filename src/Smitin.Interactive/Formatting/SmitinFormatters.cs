using Microsoft.DotNet.Interactive.Formatting;
using Smitin.Audio;
using Smitin.Data;
using Smitin.Generation;
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
        Register<MusicGen>(ModelHtml.Render, m => $"MusicGen {m.Folder} (identity {m.Identity}, {m.Device})");
        Register<AudioClip>(AudioClipHtml.Render, c => c.ToString());
        Register<GenerationResult>(GenerationResultHtml.Render, r => "GenerationResult: " + GenerationResultHtml.Describe(r));
        Register<Comparison>(ComparisonHtml.Render, c => "Comparison: " + string.Join(" | ", c.Variants.Select(v => $"{v.Label}: {GenerationResultHtml.Describe(v.Result)}")));
        Register<Smitin.Evaluation.EvaluationResult>(EvaluationHtml.Render, EvaluationHtml.Text);
        Register<ProbeDataset>(DatasetHtml.Render, d => d.Report.ToString());
        Register<ProbeSet>(ProbeSetHtml.Render, ProbeSetHtml.Text);
        Register<MonitorPlotSeries>(MonitorTraceHtml.Render, t => $"MonitorPlotSeries '{t.Name}' ({t.Trait}): {t.Steps} steps, tau {t.Tau:F3}, {t.Intervened.Count(i => i)} interventions");
        Register<MonitorChart>(MonitorTraceHtml.Render, c => $"MonitorChart: {string.Join(", ", c.Traces.Select(t => t.Name))}");
        // Any Plotly.NET chart (ours, restyled, or the user's own): offline, require.js-safe (replaces the CDN
        // formatter of Plotly.NET.Interactive if that extension was loaded before Smitin).
        Register<Plotly.NET.GenericChart>(c => PlotlyEmbed.Render(PlotlyFigure.FromChart(c), "smitin-chart"),
            c => $"Plotly.NET GenericChart ({PlotlyFigure.FromChart(c).Data.Count} traces)");
    }

    /// <summary>HTML for notebooks plus a one-line plain text (instead of the default tree of every property).</summary>
    static void Register<T>(Func<T, string> html, Func<T, string> text)
    {
        Formatter.Register<T>((value, writer) => writer.Write(html(value)), HtmlFormatter.MimeType);
        Formatter.Register<T>((value, writer) => writer.Write(text(value)), PlainTextFormatter.MimeType);
        Formatter.SetPreferredMimeTypesFor(typeof(T), HtmlFormatter.MimeType, PlainTextFormatter.MimeType);
    }
}
