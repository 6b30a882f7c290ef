using System.Diagnostics;
using System.Globalization;
using System.Net;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Events;
using Microsoft.DotNet.Interactive.Formatting;
using Smitin.Audio;
using Smitin.Generation;

namespace Smitin.Interactive.Magics;

/// <summary>
/// The player of a generation that grows while the piece is generated: one display (one display id) whose
/// <c>&lt;audio&gt;</c> is replaced by the audio so far after the first chunk and then at most every
/// <c>minInterval</c> (and after the last chunk), as <see cref="DisplayedValueUpdated"/> events. The page keeps the
/// playback position and the playing state across replacements (a small script in the element's event attributes),
/// so listening goes on while the audio grows. Thread-safe: chunks arrive on the generating thread.
/// Shows the first batch item (the magics generate one).
/// </summary>
public sealed class StreamingPlayer
{
    readonly KernelInvocationContext _context;
    readonly string _title;
    readonly string _displayId = Guid.NewGuid().ToString("N");
    readonly Stopwatch _clock = Stopwatch.StartNew();
    readonly TimeSpan _minInterval;
    readonly object _gate = new();
    readonly List<float[]>[] _channels;
    readonly int _sampleRate;
    readonly double _totalSeconds;
    TimeSpan _lastPublished = TimeSpan.MinValue;
    long _frames;

    /// <summary>Updates published so far (the first chunk's included).</summary>
    public int Updates { get; private set; }

    internal StreamingPlayer(KernelInvocationContext context, string title, int sampleRate, int channels, double totalSeconds, TimeSpan? minInterval = null)
    {
        _context = context; _title = title; _sampleRate = sampleRate; _totalSeconds = totalSeconds;
        _minInterval = minInterval ?? TimeSpan.FromMilliseconds(500);
        _channels = Enumerable.Range(0, channels).Select(_ => new List<float[]>()).ToArray();
        var html = $"<div class=\"smitin-stream\"><b>{WebUtility.HtmlEncode(title)}</b>: waiting for the first chunk…</div>";
        _context.Publish(new DisplayedValueProduced(html, _context.Command, [new FormattedValue(HtmlFormatter.MimeType, html)], _displayId));
    }

    /// <summary>Takes a chunk (and disposes its audio, not its <see cref="AudioChunk.Result"/>).</summary>
    public void Add(AudioChunk chunk)
    {
        using (chunk)
        {
            lock (_gate)
            {
                using var item = chunk.Audio[0].contiguous();                                      // (C, n)
                for (int c = 0; c < _channels.Length; c++) _channels[c].Add(item[c].data<float>().ToArray());
                _frames += chunk.Samples;
                bool due = Updates == 0 || chunk.IsLast || _clock.Elapsed - _lastPublished >= _minInterval;
                if (due && _frames > 0) Publish(chunk.IsLast, chunk.Elapsed);
            }
        }
    }

    void Publish(bool last, TimeSpan elapsed)
    {
        _lastPublished = _clock.Elapsed;
        var samples = _channels.Select(parts => parts.SelectMany(p => p).ToArray()).ToArray();
        var clip = new AudioClip(samples, _sampleRate);
        string wav = Convert.ToBase64String(clip.ToWavBytes(WavEncoding.Pcm16));
        string key = "s" + _displayId;
        // remember position and playing state; restore them in the replacement element
        string save = $"(window.smitinStream=window.smitinStream||{{}})['{key}']={{t:this.currentTime,playing:!this.paused||this.ended}}";
        string restore = $"var s=(window.smitinStream||{{}})['{key}'];if(s){{this.currentTime=Math.min(s.t,this.duration);if(s.playing)this.play().catch(function(){{}});}}";
        string status = last
            ? $"complete: {clip.DurationSeconds.ToString("F2", CultureInfo.InvariantCulture)} s"
            : $"{clip.DurationSeconds.ToString("F2", CultureInfo.InvariantCulture)} s of {_totalSeconds.ToString("F2", CultureInfo.InvariantCulture)} s so far";
        string html =
            $"<div class=\"smitin-stream\"><b>{WebUtility.HtmlEncode(_title)}</b>: {status} " +
            $"<small>(update {Updates + 1}, {elapsed.TotalSeconds.ToString("F2", CultureInfo.InvariantCulture)} s after the start)</small><br/>" +
            $"<audio controls {(Updates == 0 ? "autoplay " : "")}preload=\"auto\" src=\"data:audio/wav;base64,{wav}\" " +
            $"ontimeupdate=\"{save}\" onpause=\"{save}\" onplay=\"{save}\" onloadedmetadata=\"{restore}\"></audio></div>";
        Updates++;
        _context.Publish(new DisplayedValueUpdated(html, _displayId, _context.Command, [new FormattedValue(HtmlFormatter.MimeType, html)]));
    }
}
