using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.Directives;
using Smitin.Interactive.Tests.Support;

namespace Smitin.Interactive.Tests.Magics;

public class VariableBindingTests
{
    public sealed class BindProbe : KernelDirectiveCommand
    {
        public string? Name { get; set; }
    }

    [Fact]
    public async Task A_directive_handler_binds_a_csharp_variable_the_next_cell_can_use()
    {
        var (nb, _) = await NotebookKernel.CreateAsync();
        using var __ = nb;
        nb.Kernel.AddDirective<BindProbe>(new KernelActionDirective("#!bindprobe") { Parameters = { new("--name") } },
            async (cmd, ctx) => await SmitinVariables.BindAsync(nb.Kernel, cmd.Name!, new List<int> { 1, 2, 3 }));

        var bind = await nb.SubmitAsync("#!bindprobe --name numbers");
        bind.Succeeded();
        var use = await nb.SubmitAsync("numbers.Sum()");
        use.Succeeded();
        Assert.Equal(6, use.ReturnValue<int>());

        var bad = await nb.SubmitAsync("#!bindprobe --name 9lives");
        Assert.Contains("C# identifier", bad.Error());
    }

    [Fact]
    public async Task Dll_variant_loads_and_makes_engine_types_referencable_from_csharp()
    {
        var (nb, load) = await NotebookKernel.CreateFromDllAsync();
        using var __ = nb;
        load.Succeeded();
        Assert.Contains(load.Html(), h => h.Contains("smitin-banner"));
        var r = await nb.SubmitAsync("typeof(Smitin.Models.MusicGen).Name + \"/\" + typeof(Smitin.Interactive.SmitinSession).Name");
        r.Succeeded();
        Assert.Equal("MusicGen/SmitinSession", r.ReturnValue<string>());
    }
}
