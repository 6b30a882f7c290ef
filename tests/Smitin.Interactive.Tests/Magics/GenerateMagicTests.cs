using System.Diagnostics;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.Events;
using Smitin.Audio;
using Smitin.Generation;
using Smitin.Interactive.Tests.Support;

namespace Smitin.Interactive.Tests.Magics;

public class GenerateMagicTests : IClassFixture<GenerateMagicTests.Notebook>
{
    public sealed class Notebook : IAsyncLifetime
    {
        public NotebookKernel Kernel { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            (Kernel, _) = await NotebookKernel.CreateAsync();
            (await Kernel.SubmitAsync($"#!smitin load \"{Repo.TinyModel}\"")).Succeeded();
        }

        public Task DisposeAsync()
        {
            Kernel.Dispose();
            return Task.CompletedTask;
        }
    }

    readonly Notebook _nb;
    public GenerateMagicTests(Notebook nb) => _nb = nb;

    [Fact]
    public async Task Text_prompt_gives_a_player_the_options_used_and_a_bound_result()
    {
        var r = await _nb.Kernel.SubmitAsync("#!smitin generate \"80s pop track with bassy drums\" --duration 1 --seed 7 --var song");
        r.Succeeded();
        string html = Assert.Single(r.Html(), h => h.Contains("smitin-generation"));
        Assert.Contains("<audio controls", html);
        Assert.Contains("seed 7, 50 frames", html);
        Assert.Contains("&quot;80s pop track with bassy drums&quot;", html);
        Assert.True(_nb.Kernel.CSharp.TryGetValue<GenerationResult>("song", out var song));
        Assert.Equal(32000, song.SampleRate);
        Assert.Equal(7, song.Seed);
        Assert.Contains(r.Events.OfType<DisplayedValueUpdated>(), e => e.FormattedValues.Any(v => v.Value.Contains("50 frames, seed 7")));
    }

    [Fact]
    public async Task Audio_prompt_is_continued()
    {
        string wav = Path.Combine(Path.GetTempPath(), $"smitin-prompt-{Guid.NewGuid():N}.wav");
        var x = new float[16000];
        for (int i = 0; i < x.Length; i++) x[i] = 0.3f * MathF.Sin(2 * MathF.PI * 220 * i / 32000);
        AudioClip.Mono(x, 32000).Save(wav);
        try
        {
            var r = await _nb.Kernel.SubmitAsync($"#!smitin generate --audio-prompt \"{wav}\" --duration 1 --seed 1");
            r.Succeeded();
            Assert.Contains(r.Html(), h => h.Contains("smitin-generation") && h.Contains("(25 from the audio prompt)"));

            var tooShort = await _nb.Kernel.SubmitAsync($"#!smitin generate --audio-prompt \"{wav}\" --duration 0.4");
            Assert.Contains("--duration = 0.4 s (20 frames at 50 Hz) is the total length and must be longer than the audio prompt", tooShort.Error());
        }
        finally { File.Delete(wav); }
    }

    [Fact]
    public async Task Long_generation_can_be_cancelled_and_the_kernel_keeps_working()
    {
        // The fixture's longest generation (512 positions: 10 s of audio) takes about a second here. Cancel it when
        // the first in-place progress update ("step i/n", after 250 ms) arrives.
        var full = Stopwatch.StartNew();
        (await _nb.Kernel.SubmitAsync("#!smitin generate \"drums\" --duration 10 --seed 2")).Succeeded();
        full.Stop();
        var session = SmitinSession.Of(_nb.Kernel.Kernel);
        Assert.Equal(2, session.LastResult!.Seed);

        using var cts = new CancellationTokenSource();
        using var watch = _nb.Kernel.Kernel.KernelEvents.Subscribe(e =>
        {
            if (e is DisplayedValueUpdated u && u.FormattedValues.Any(v => v.Value.Contains("step "))) cts.Cancel();
        });
        var clock = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _nb.Kernel.SubmitAsync("#!smitin generate \"drums\" --duration 10 --seed 5", cts.Token));
        Assert.True(cts.IsCancellationRequested, "the generation finished before its first progress update");

        // Had the engine ignored the token, the run would finish (well within twice a full run) and become LastResult.
        await Task.Delay(full.Elapsed * 2);
        Assert.Equal(2, session.LastResult!.Seed);
        var next = await _nb.Kernel.SubmitAsync("#!smitin generate \"drums\" --duration 0.5 --seed 3");
        next.Succeeded();
        Assert.Equal(3, session.LastResult!.Seed);
    }

    [Fact]
    public async Task Cancel_command_stops_the_run_its_progress_says_cancelled_and_the_next_cell_runs()
    {
        // .NET Interactive's Cancel command is what Polyglot's stop button sends (and what the Jupyter interrupt
        // becomes with the kernelspec scripts/setup.sh installs). It completes the cell's context at once, so whatever
        // the magic publishes after its worker notices the cancellation is dropped: the progress line must say so
        // while the context still accepts events. The front end sees the root kernel's events.
        var front = new List<KernelEvent>();
        var stepping = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var watch = _nb.Kernel.Kernel.KernelEvents.Subscribe(e =>
        {
            lock (front) front.Add(e);
            if (e is DisplayedValueUpdated u && u.FormattedValues.Any(v => v.Value.Contains("step "))) stepping.TrySetResult();
        });
        // 60 s on the fixture = 6 windows, several seconds of work: still running when the Cancel arrives.
        var cell = _nb.Kernel.SubmitAsync("#!smitin generate \"drums\" --duration 60 --seed 11");
        Assert.Same(stepping.Task, await Task.WhenAny(stepping.Task, cell, Task.Delay(TimeSpan.FromMinutes(2))));
        var clock = Stopwatch.StartNew();
        (await _nb.Kernel.Kernel.SendAsync(new Cancel())).Events.OfType<CommandSucceeded>().Single();
        var result = await cell;
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"the cell ended {clock.Elapsed} after the Cancel");
        Assert.Contains(result.Events, e => e is CommandFailed);
        Assert.DoesNotContain(result.Events, e => e is CommandSucceeded);

        KernelEvent[] seen;
        lock (front) seen = [.. front];
        string progressId = seen.OfType<DisplayedValueProduced>().Single(e => e.FormattedValues.Any(v => v.Value.Contains("smitin-progress") && v.Value.Contains("generate"))).ValueId!;
        var last = seen.OfType<DisplayedValueUpdated>().Last(e => e.ValueId == progressId);
        string html = last.FormattedValues.Single(v => v.MimeType == "text/html").Value;
        Assert.Contains("cancelled", html);
        Assert.Contains("smitin-failed", html);
        Assert.DoesNotContain(seen.OfType<DisplayedValueUpdated>(), e => e.ValueId == progressId && e.FormattedValues.Any(v => v.Value.Contains("frames, seed 11")));
        var session = SmitinSession.Of(_nb.Kernel.Kernel);
        Assert.NotEqual(11, session.LastResult?.Seed);

        var next = await _nb.Kernel.SubmitAsync("#!smitin generate \"drums\" --duration 0.5 --seed 12");
        next.Succeeded();
        Assert.Equal(12, session.LastResult!.Seed);
    }

    [Fact]
    public async Task Bad_values_show_help_and_error()
    {
        foreach (var (cell, message) in new[]
        {
            ("#!smitin generate x --duration -1", "--duration = -1: expected a finite number of seconds > 0"),
            ("#!smitin generate x --mode sideways", "--mode 'sideways': expected one of none, iti, smitin"),
            ("#!smitin generate x --alpha 5", "--alpha only applies when steering: add --mode smitin or --mode iti"),
            ("#!smitin generate x --audio-prompt /no/such.wav", "--audio-prompt '/no/such.wav': no such WAV file"),
            ("#!smitin generate x --duration soon", "--duration 'soon': expected a number"),
        })
        {
            var r = await _nb.Kernel.SubmitAsync(cell);
            Assert.True(r.Error() is { } e && e.Contains(message), $"{cell}: expected an error with '{message}', got '{r.Error()}'");
            Assert.Contains(r.Html(), h => h.Contains("smitin-help"));
        }
    }
}
