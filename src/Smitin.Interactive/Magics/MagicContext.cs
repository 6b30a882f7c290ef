using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Events;
using Microsoft.DotNet.Interactive.Formatting;

namespace Smitin.Interactive.Magics;

/// <summary>What a running subcommand can use: the notebook session, display, variable binding, progress, cancellation.</summary>
public sealed class MagicContext
{
    internal MagicContext(SmitinSession session, KernelInvocationContext context, Kernel root)
    {
        Session = session; Invocation = context; Root = root;
    }

    public SmitinSession Session { get; }
    public KernelInvocationContext Invocation { get; }
    internal Kernel Root { get; }

    /// <summary>Cancelled when the user interrupts the cell.</summary>
    public CancellationToken CancellationToken => Invocation.CancellationToken;

    /// <summary>Displays a value through the registered formatters (HTML for Smitin types).</summary>
    public void Display(object value) => Invocation.Display(value, HtmlFormatter.MimeType, PlainTextFormatter.MimeType);

    public void DisplayHtml(string html) =>
        Invocation.Publish(new DisplayedValueProduced(html, Invocation.Command,
            [new FormattedValue(HtmlFormatter.MimeType, html)]));

    /// <summary>Binds <paramref name="value"/> to the C# variable <paramref name="name"/> and says so in the output.</summary>
    public async Task BindAsync(string name, object value)
    {
        await SmitinVariables.BindAsync(Root, name, value);
        Bound.Add(name);
    }

    /// <summary>Variables bound by this invocation (reported in one line at the end).</summary>
    internal List<string> Bound { get; } = [];

    public ProgressDisplay StartProgress(string title) => new(Invocation, title);

    /// <summary>A player that grows while <paramref name="model"/> generates <paramref name="seconds"/> of audio.</summary>
    public StreamingPlayer StartPlayer(string title, Smitin.Models.MusicGen model, double seconds) =>
        new(Invocation, title, model.SampleRate, model.AudioChannels, seconds);
}
