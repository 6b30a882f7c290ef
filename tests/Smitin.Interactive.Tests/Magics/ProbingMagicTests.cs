using Smitin.Data;
using Smitin.Interactive.Tests.Support;
using Smitin.Probing;

namespace Smitin.Interactive.Tests.Magics;

/// <summary>load → dataset (synthetic) → probe → heatmap on the fixture model, as the quickstart notebook does.</summary>
public class ProbingMagicTests : IClassFixture<ProbingMagicTests.Notebook>
{
    /// <summary>One notebook for the class: the steps build on each other like notebook cells.</summary>
    public sealed class Notebook : IAsyncLifetime
    {
        public NotebookKernel Kernel { get; private set; } = null!;
        public string SongsDir { get; } = Path.Combine(Path.GetTempPath(), "smitin-nbtest-" + Guid.NewGuid().ToString("N")[..8]);

        public async Task InitializeAsync()
        {
            (Kernel, _) = await NotebookKernel.CreateAsync();
            (await Kernel.SubmitAsync($"#!smitin load \"{Repo.TinyModel}\"")).Succeeded();
            var ds = await Kernel.SubmitAsync($"#!smitin dataset drums --synthetic --songs 4 --song-seconds 6 --seed 3 --out \"{SongsDir}\" --validation 0.25");
            ds.Succeeded();
            DatasetOutput = ds;
        }

        public Microsoft.DotNet.Interactive.KernelCommandResult DatasetOutput { get; private set; } = null!;

        public Task DisposeAsync()
        {
            Kernel.Dispose();
            try { Directory.Delete(SongsDir, recursive: true); } catch (IOException) { }
            return Task.CompletedTask;
        }
    }

    readonly Notebook _nb;
    public ProbingMagicTests(Notebook nb) => _nb = nb;

    [Fact]
    public void Dataset_shows_report_and_a_player_with_and_without_the_trait()
    {
        string html = Assert.Single(_nb.DatasetOutput.Html(), h => h.Contains("smitin-dataset"));
        Assert.Contains("tracks: 2 train, 1 validation, 1 skipped", html); // the balanced stem design leaves drums out of one of 4 songs
        Assert.Contains("with drums:", html);
        Assert.Contains("without drums:", html);
        Assert.Equal(2, System.Text.RegularExpressions.Regex.Matches(html, "<audio controls").Count);
        Assert.Contains(_nb.DatasetOutput.Html(), h => h.Contains("<code>dataset</code>"));
        Assert.True(_nb.Kernel.CSharp.TryGetValue<ProbeDataset>("dataset", out var ds));
        Assert.Equal("drums", ds.Trait);
    }

    [Fact]
    public async Task Dataset_from_a_stem_collection_folder_opens_the_same_tracks()
    {
        // the synthetic songs are a stem collection in the MUSDB18-HQ layout: open them as an existing --source
        var r = await _nb.Kernel.SubmitAsync($"#!smitin dataset drums --source \"{_nb.SongsDir}\" --validation 0.25 --seed 3 --var stems");
        r.Succeeded();
        string html = Assert.Single(r.Html(), h => h.Contains("smitin-dataset"));
        Assert.Contains("tracks: 2 train, 1 validation, 1 skipped", html);
        Assert.Equal(2, System.Text.RegularExpressions.Regex.Matches(html, "<audio controls").Count);
        Assert.True(_nb.Kernel.CSharp.TryGetValue<ProbeDataset>("stems", out var ds));
        Assert.Equal("drums", ds.Trait);
    }

    [Fact]
    public async Task Probe_trains_every_head_shows_heatmap_and_binds_the_set()
    {
        var r = await _nb.Kernel.SubmitAsync("#!smitin probe --monitor-heads 4 --var drumProbes");
        r.Succeeded();
        string heat = Assert.Single(r.Html(), h => h.Contains("smitin-heatmap"));
        Assert.Contains("\"type\":\"heatmap\"", heat);
        Assert.Contains("probe accuracy per head", heat);
        Assert.Contains("monitor heads (top 4)", heat);
        Assert.Contains(r.Html(), h => h.Contains("smitin-progress") && h.Contains("8 probes"));
        var use = await _nb.Kernel.SubmitAsync("drumProbes.Layers * drumProbes.Heads + drumProbes.MonitorHeadIndices.Length");
        use.Succeeded();
        Assert.Equal(2 * 4 + 4, use.ReturnValue<int>());
        // the figures the notebook checks read (scripts/check-notebook.py --probe-accuracy) are the set's own; without
        // --direction the set has the default direction, mass-mean (ProbeSetOptions.Direction)
        Assert.True(_nb.Kernel.CSharp.TryGetValue<Smitin.Probing.ProbeSet>("drumProbes", out var set));
        Assert.Contains(System.FormattableString.Invariant(
            $"class=\"smitin-probeset\" data-trait=\"drums\" data-direction=\"mass-mean\" data-best-accuracy=\"{set.Accuracy.Max():0.0000}\" data-tau=\"{set.Tau:0.0000}\""), heat);

        var again = await _nb.Kernel.SubmitAsync("#!smitin heatmap drums --tau 0.25");
        again.Succeeded();
        Assert.Contains(again.Html(), h => h.Contains("smitin-heatmap") && h.Contains("\\u03C4 = 0.250")); // τ, escaped by the JSON encoder
        Assert.Equal(0.25, SmitinSession.Of(_nb.Kernel.Kernel).RequireProbes("drums").Tau, 6);
    }

    [Fact]
    public async Task Bad_values_show_help_and_error_and_the_kernel_keeps_working()
    {
        foreach (var (cell, message) in new[]
        {
            ("#!smitin probe --direction sideways", "--direction"),
            ("#!smitin probe --tau 1.5", "--tau = 1.5: expected a finite number in [0, 1]"),
            ("#!smitin probe --trait bass", "current dataset is for 'drums'"),
            ("#!smitin heatmap piano", "no probes for it"),
            ("#!smitin dataset drums", "exactly one of --synthetic or --source"),
            ("#!smitin dataset kazoo --synthetic", "synthetic songs have the stems"),
            ("#!smitin dataset drums --source /nope", "no such folder"),
            ("#!smitin probe --monitor many", "--monitor 'many': expected a whole number"),
        })
        {
            var r = await _nb.Kernel.SubmitAsync(cell);
            Assert.True(r.Error() is { } e && e.Contains(message), $"{cell}: expected an error with '{message}', got '{r.Error()}'");
            Assert.Contains(r.Html(), h => h.Contains("smitin-help"));
        }
        (await _nb.Kernel.SubmitAsync("dataset.Trait")).Succeeded();
    }
}
