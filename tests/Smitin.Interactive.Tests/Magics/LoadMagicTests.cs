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
    public async Task Missing_folder_or_model_option_shows_help_and_error()
    {
        var (nb, _) = await NotebookKernel.CreateAsync();
        using var __ = nb;
        var none = await nb.SubmitAsync("#!smitin load");
        Assert.Contains("--model is required", none.Error());
        Assert.Contains(none.Html(), h => h.Contains("smitin-help"));

        var missing = await nb.SubmitAsync("#!smitin load /no/such/folder");
        Assert.Contains("/no/such/folder", missing.Error());
        Assert.Contains(missing.Html(), h => h.Contains("smitin-help"));

        var notModel = await nb.SubmitAsync($"#!smitin load \"{Path.GetTempPath()}\"");
        Assert.Contains("config.json", notModel.Error());
        (await nb.SubmitAsync("2 * 21")).Succeeded();
    }
}
