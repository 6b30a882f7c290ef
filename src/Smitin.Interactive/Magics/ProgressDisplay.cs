using System.Diagnostics;
using System.Net;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Events;
using Microsoft.DotNet.Interactive.Formatting;

namespace Smitin.Interactive.Magics;

/// <summary>
/// A progress line that updates in place (one display id, <see cref="DisplayedValueUpdated"/> events).
/// Thread-safe and throttled, so the engine may report from worker threads as often as it likes.
/// When the cell is cancelled (.NET Interactive's <c>Cancel</c> command: Polyglot's stop button, the Jupyter interrupt
/// with the kernelspec of scripts/setup.sh), the line says "cancelled" at once: the cancellation completes the cell's
/// context right after cancelling its token, so anything the magic publishes once its worker has noticed is dropped.
/// </summary>
public sealed class ProgressDisplay
{
    readonly KernelInvocationContext _context;
    readonly string _title;
    readonly string _displayId = Guid.NewGuid().ToString("N");
    readonly Stopwatch _clock = Stopwatch.StartNew();
    readonly object _gate = new();
    readonly TimeSpan _minInterval;
    TimeSpan _lastPublished = TimeSpan.MinValue;
    bool _finished;
    CancellationTokenRegistration _onCancel;

    /// <summary>Number of in-place updates actually published (after throttling).</summary>
    public int Updates { get; private set; }

    internal ProgressDisplay(KernelInvocationContext context, string title, TimeSpan? minInterval = null)
    {
        _context = context;
        _title = title;
        _minInterval = minInterval ?? TimeSpan.FromMilliseconds(250);
        Publish(Render("starting…", 0), produced: true);
        // Runs inside the token's Cancel(), before the context is completed: the last moment an update gets through.
        _onCancel = context.CancellationToken.Register(() => Finish("cancelled", failed: true));
    }

    /// <summary>Reports progress; <paramref name="fraction"/> in [0, 1] or null when unknown.</summary>
    public void Report(string text, double? fraction = null)
    {
        lock (_gate)
        {
            if (_finished || _clock.Elapsed - _lastPublished < _minInterval) return;
            Publish(Render(text, fraction), produced: false);
        }
    }

    /// <summary>Final state (always published, not throttled).</summary>
    public void Finish(string text, bool failed = false)
    {
        lock (_gate)
        {
            if (_finished) return;
            _finished = true;
            _onCancel.Unregister();
            Publish(Render($"{text} ({_clock.Elapsed.TotalSeconds:F1} s)", failed ? null : 1, failed), produced: false);
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> and finishes the line with <paramref name="summary"/> of its result, or with
    /// "cancelled" / "failed" when it throws (the exception is rethrown): the one wrapper every long magic uses.
    /// </summary>
    public async Task<T> Track<T>(Func<Task<T>> work, Func<T, string> summary)
    {
        T result;
        try { result = await work(); }
        catch (OperationCanceledException)
        {
            Finish("cancelled", failed: true);
            throw;
        }
        catch
        {
            Finish("failed", failed: true);
            throw;
        }
        Finish(summary(result));
        return result;
    }

    string Render(string text, double? fraction, bool failed = false)
    {
        string bar = fraction is { } f
            ? $"<progress max=\"1\" value=\"{Math.Clamp(f, 0, 1).ToString("F3", System.Globalization.CultureInfo.InvariantCulture)}\"></progress> "
            : "";
        string cls = failed ? "smitin-progress smitin-failed" : "smitin-progress";
        return $"<div class=\"{cls}\">{bar}<b>{WebUtility.HtmlEncode(_title)}</b>: {WebUtility.HtmlEncode(text)}</div>";
    }

    void Publish(string html, bool produced)
    {
        _lastPublished = _clock.Elapsed;
        var values = new[] { new FormattedValue(HtmlFormatter.MimeType, html) };
        if (produced)
            _context.Publish(new DisplayedValueProduced(html, _context.Command, values, _displayId));
        else
        {
            Updates++;
            _context.Publish(new DisplayedValueUpdated(html, _displayId, _context.Command, values));
        }
    }
}
