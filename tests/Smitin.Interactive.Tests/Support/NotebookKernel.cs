using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.CSharp;
using Microsoft.DotNet.Interactive.Events;
using Microsoft.DotNet.Interactive.Formatting;

namespace Smitin.Interactive.Tests.Support;

/// <summary>
/// An in-process notebook: a <see cref="CompositeKernel"/> with a C# kernel (kernel helpers, value sharing,
/// #!import), the Smitin extension loaded the way the NuGet package does it (running extension.dib).
/// </summary>
public sealed class NotebookKernel : IDisposable
{
    public CompositeKernel Kernel { get; }
    public CSharpKernel CSharp { get; }

    NotebookKernel()
    {
        CSharp = new CSharpKernel().UseKernelHelpers().UseValueSharing();
        Kernel = new CompositeKernel { CSharp };
        Kernel.DefaultKernelName = CSharp.Name;
        Kernel.UseImportMagicCommand();
    }

    /// <summary>Creates the kernel and runs the package's extension.dib; returns the load result too.</summary>
    public static async Task<(NotebookKernel Notebook, IReadOnlyList<KernelEvent> Load)> CreateAsync()
    {
        var nb = new NotebookKernel();
        nb.CSharp.AddAssemblyReferences([typeof(SmitinExtension).Assembly.Location, typeof(SmitinException).Assembly.Location]);
        var events = new List<KernelEvent>();
        using (nb.Kernel.KernelEvents.Subscribe(e => { lock (events) events.Add(e); }))
            await nb.Kernel.LoadAndRunInteractiveDocument(new FileInfo(ExtensionDib));
        return (nb, events);
    }

    /// <summary>src/Smitin.Interactive/extension.dib, as packed into interactive-extensions/dotnet.</summary>
    /// <summary>
    /// The documented dll variant: a notebook that has no Smitin reference runs <c>#r</c> of the built extension
    /// assembly and the one documented call. Returns the events of that cell.
    /// </summary>
    public static async Task<(NotebookKernel Notebook, KernelCommandResult Load)> CreateFromDllAsync()
    {
        var nb = new NotebookKernel();
        string dll = typeof(SmitinExtension).Assembly.Location;
        var load = await nb.SubmitAsync($"#r \"{dll}\"\nSmitin.Interactive.SmitinExtension.Load(Microsoft.DotNet.Interactive.Kernel.Root);");
        return (nb, load);
    }

    public static string ExtensionDib => Path.Combine(Repo.Root, "src", "Smitin.Interactive", "extension.dib");

    public Task<KernelCommandResult> SubmitAsync(string code, CancellationToken ct = default) =>
        Kernel.SendAsync(new SubmitCode(code), ct);

    public void Dispose() => Kernel.Dispose();
}

/// <summary>Assertions over the events of one submission.</summary>
public static class Outputs
{
    public static IEnumerable<string> Html(this KernelCommandResult r) => r.Events.Html();

    public static IEnumerable<string> Html(this IEnumerable<KernelEvent> events) =>
        events.OfType<DisplayEvent>().SelectMany(e => e.FormattedValues).Where(v => v.MimeType == HtmlFormatter.MimeType).Select(v => v.Value);

    public static string? Error(this KernelCommandResult r) => r.Events.Error();

    public static string? Error(this IEnumerable<KernelEvent> events) =>
        events.OfType<CommandFailed>().Select(f => f.Message).FirstOrDefault();

    public static void Succeeded(this KernelCommandResult r) =>
        Assert.True(r.Events.OfType<CommandSucceeded>().Any(), "expected success, got: " + r.Error());

    public static T ReturnValue<T>(this KernelCommandResult r) =>
        Assert.IsType<T>(r.Events.OfType<ReturnValueProduced>().Single().Value, exactMatch: false);
}
