using Smitin.Interactive.Tests.Support;

namespace Smitin.Interactive.Tests.Magics;

public class LoadMagicTests
{
    [Fact]
    public async Task Load_fixture_shows_model_and_binds_variable()
    {
        var (nb, _) = await NotebookKernel.CreateAsync();
        using var __ = nb;
        var r = await nb.SubmitAsync($"#!smitin load \"{Repo.TinyModel}\" --var tiny");
        r.Succeeded();
        Assert.Contains(r.Html(), h => h.Contains("smitin-model") && h.Contains("layers=2"));
        Assert.Contains(r.Html(), h => h.Contains("smitin-progress"));
        Assert.Contains(r.Html(), h => h.Contains("<code>tiny</code>"));
        var use = await nb.SubmitAsync("tiny.Config.Decoder.NumAttentionHeads * tiny.Config.Decoder.NumHiddenLayers");
        use.Succeeded();
        Assert.Equal(8, use.ReturnValue<int>());
        Assert.True(nb.CSharp.TryGetValue<object>("tiny", out var bound));
        Assert.Same(SmitinSession.Of(nb.Kernel).Model, bound);
    }

    [Fact]
    public async Task Model_path_can_come_from_a_csharp_variable()
    {
        var (nb, _) = await NotebookKernel.CreateAsync();
        using var __ = nb;
        (await nb.SubmitAsync($"var folder = @\"{Repo.TinyModel}\";")).Succeeded();
        var r = await nb.SubmitAsync("#!smitin load @csharp:folder");
        r.Succeeded();
        (await nb.SubmitAsync("model.Identity.Length > 0")).Succeeded();
    }

    [Fact]
    public async Task Load_without_a_model_loads_the_embedded_default_model()
    {
        var (nb, _) = await NotebookKernel.CreateAsync();
        using var __ = nb;
        var r = await nb.SubmitAsync("#!smitin load");
        r.Succeeded();
        Assert.Contains(r.Html(), h => h.Contains("smitin-progress") && h.Contains("default model " + Smitin.Models.DefaultModel.Name));
        var model = SmitinSession.Of(nb.Kernel).Model!;
        // the folder the engine finds next to itself, holding the committed models/smitin-synth-small
        Assert.Equal(Smitin.Models.DefaultModel.Folder, model.Folder);
        Assert.Equal(Smitin.Models.DefaultModel.Name, Path.GetFileName(Path.TrimEndingDirectorySeparator(model.Folder)));
        Assert.Equal(File.ReadAllBytes(Path.Combine(Repo.Root, "models", "smitin-synth-small", "config.json")),
            File.ReadAllBytes(Path.Combine(model.Folder, "config.json")));
        var use = await nb.SubmitAsync("model.Config.Decoder.NumHiddenLayers * 100 + model.SampleRate / 1000");
        use.Succeeded();
        Assert.Equal(4 * 100 + 16, use.ReturnValue<int>());
    }

    [Fact]
    public async Task Load_without_a_model_names_the_override_when_the_default_is_missing()
    {
        var (nb, _) = await NotebookKernel.CreateAsync();
        using var __ = nb;
        string missing = Path.Combine(Path.GetTempPath(), "smitin-no-default-" + Guid.NewGuid().ToString("N"));
        Environment.SetEnvironmentVariable(Smitin.Models.DefaultModel.EnvironmentVariable, missing);
        try
        {
            var r = await nb.SubmitAsync("#!smitin load");
            Assert.Contains(missing, r.Error());
            Assert.Contains(Smitin.Models.DefaultModel.EnvironmentVariable, r.Error());
            Assert.Contains(r.Html(), h => h.Contains("smitin-help"));
        }
        finally { Environment.SetEnvironmentVariable(Smitin.Models.DefaultModel.EnvironmentVariable, null); }
        (await nb.SubmitAsync("2 * 21")).Succeeded();
    }

    [Fact]
    public async Task Missing_folder_shows_help_and_error()
    {
        var (nb, _) = await NotebookKernel.CreateAsync();
        using var __ = nb;
        var missing = await nb.SubmitAsync("#!smitin load /no/such/folder");
        Assert.Contains("/no/such/folder", missing.Error());
        Assert.Contains(missing.Html(), h => h.Contains("smitin-help"));

        var notModel = await nb.SubmitAsync($"#!smitin load \"{Path.GetTempPath()}\"");
        Assert.Contains("config.json", notModel.Error());
        (await nb.SubmitAsync("2 * 21")).Succeeded();
    }
}
