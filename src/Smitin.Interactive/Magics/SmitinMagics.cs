using System.Reflection;
using System.Runtime.CompilerServices;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.Directives;
using Microsoft.DotNet.Interactive.Events;
using Microsoft.DotNet.Interactive.Formatting;

namespace Smitin.Interactive.Magics;

/// <summary>
/// Declares the <c>#!smitin</c> magic and its subcommands on a root kernel (one <see cref="KernelActionDirective"/>
/// and one command type per subcommand, declared from the subcommand's <see cref="MagicOption"/> table), checks every
/// <c>#!smitin</c> line of a submission against those tables before anything runs (<see cref="MagicLine"/>), runs the
/// subcommands with uniform error handling, and shows the subcommand's help with every usage error.
/// </summary>
internal static class SmitinMagics
{
    internal const string MagicName = "#!smitin";

    /// <summary>A subcommand: its option table and description (the directive and the help are made from them).</summary>
    internal sealed record Subcommand(string Name, string Description, IReadOnlyList<MagicOption> Options);

    /// <summary>The subcommands, in banner and help order.</summary>
    internal static readonly IReadOnlyList<Subcommand> Subcommands =
    [
        new("load", LoadMagic.Description, LoadMagic.Options()),
        new("dataset", DatasetMagic.Description, DatasetMagic.Options()),
        new("probe", ProbeMagic.Description, ProbeMagic.Options()),
        new("heatmap", HeatmapMagic.Description, HeatmapMagic.Options()),
        new("generate", GenerateMagic.Description, GenerateMagic.Options()),
        new("compare", CompareMagic.Description, CompareMagic.Options()),
        new("trace", TraceMagic.Description, TraceMagic.Options()),
    ];

    internal static IEnumerable<string> SubcommandNames => Subcommands.Select(s => s.Name);

    internal const string Description = "Smitin: load MusicGen, build probing datasets, train per-head probes, generate and steer music (SMITIN / ITI).";

    static readonly IReadOnlyList<MagicOption> RootOptions = [MagicOptions.Help()];
    static readonly IReadOnlyDictionary<string, IReadOnlyList<MagicOption>> Tables = Subcommands.ToDictionary(s => s.Name, s => s.Options);

    /// <summary>Per submission: the first problem of its <c>#!smitin</c> lines (null = all fine), found once.</summary>
    static readonly ConditionalWeakTable<SubmitCode, StrongBox<MagicLine.Error?>> Checked = new();

    /// <summary>Registers the magic once per root kernel; false when it was registered already.</summary>
    internal static bool Register(Kernel root)
    {
        if (root.KernelInfo.SupportedDirectives.Any(d => d.Name == MagicName)) return false;

        var directives = Subcommands.ToDictionary(s => s.Name, Declare);
        var magic = new KernelActionDirective(MagicName, Description) { Parameters = { MagicOptions.Help().ToParameter() } };
        foreach (var s in Subcommands) magic.Subcommands.Add(directives[s.Name]);

        root.AddDirective<SmitinRootMagic>(magic, (cmd, ctx) =>
        {
            ShowHelp(ctx, null);
            return Task.CompletedTask;
        });
        root.AddDirective<LoadMagic>(directives["load"], (cmd, ctx) => RunAsync(cmd, ctx, root, "load"));
        root.AddDirective<DatasetMagic>(directives["dataset"], (cmd, ctx) => RunAsync(cmd, ctx, root, "dataset"));
        root.AddDirective<ProbeMagic>(directives["probe"], (cmd, ctx) => RunAsync(cmd, ctx, root, "probe"));
        root.AddDirective<HeatmapMagic>(directives["heatmap"], (cmd, ctx) => RunAsync(cmd, ctx, root, "heatmap"));
        root.AddDirective<GenerateMagic>(directives["generate"], (cmd, ctx) => RunAsync(cmd, ctx, root, "generate"));
        root.AddDirective<CompareMagic>(directives["compare"], (cmd, ctx) => RunAsync(cmd, ctx, root, "compare"));
        root.AddDirective<TraceMagic>(directives["trace"], (cmd, ctx) => RunAsync(cmd, ctx, root, "trace"));
        root.AddMiddleware(CheckLinesFirst);
        return true;
    }

    static KernelActionDirective Declare(Subcommand s)
    {
        var d = new KernelActionDirective(s.Name, s.Description);
        foreach (var o in s.Options) d.Parameters.Add(o.ToParameter());
        return d;
    }

    static async Task RunAsync(SmitinMagicCommand command, KernelInvocationContext context, Kernel root, string subcommand)
    {
        if (command.Help)
        {
            ShowHelp(context, subcommand);
            return;
        }
        var magic = new MagicContext(SmitinSession.Of(root), context, root);
        try
        {
            ApplyAliases(command, subcommand, context);
            if (command.VariableName is { } name) SmitinVariables.CheckName(name);    // before any work
            await command.RunAsync(magic);
            if (magic.Bound.Count > 0)
                magic.DisplayHtml($"<div class=\"smitin-bound\">C# variables: {string.Join(", ", magic.Bound.Select(v => $"<code>{v}</code>"))}</div>");
        }
        catch (Exception e) when (e is MagicUsageException or OptionException)
        {
            ShowHelp(context, subcommand);
            string message = e is OptionException o ? o.ForCommandLine : e.Message;
            context.Fail(command, message: $"{MagicName} {subcommand}: {message}");
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            context.Fail(command, message: $"{MagicName} {subcommand}: cancelled");
        }
        catch (SmitinException e)
        {
            context.Fail(command, message: $"{MagicName} {subcommand}: {e.Message}");
        }
    }

    /// <summary>
    /// Moves the value of each deprecated alias that was given to the option that replaced it (same type, property
    /// named after the option) and says so in the output.
    /// </summary>
    static void ApplyAliases(SmitinMagicCommand command, string subcommand, KernelInvocationContext context)
    {
        foreach (var alias in Tables[subcommand].Where(o => o.Deprecated))
        {
            var from = Property(command, alias.Name);
            var value = from.GetValue(command);
            if (value is null || value is false) continue;
            var to = Property(command, alias.ReplacedBy!);
            var current = to.GetValue(command);
            if (current is not null && current is not false)
                throw new MagicUsageException($"{alias.Name} and {alias.ReplacedBy} are the same option: give {alias.ReplacedBy} only");
            to.SetValue(command, value);
            string note = $"{alias.Name} is deprecated, use {alias.ReplacedBy}";
            context.Publish(new DisplayedValueProduced(note, context.Command,
                [new FormattedValue(HtmlFormatter.MimeType, $"<div class=\"smitin-deprecated\">{note}</div>"), new FormattedValue(PlainTextFormatter.MimeType, note)]));
        }
    }

    static PropertyInfo Property(object command, string option)
    {
        string name = string.Concat(option.TrimStart('-').Split('-').Select(w => char.ToUpperInvariant(w[0]) + w[1..]));
        return command.GetType().GetProperty(name, BindingFlags.Public | BindingFlags.Instance)
            ?? throw new InvalidOperationException($"{command.GetType().Name} has no property {name} for {option}");
    }

    static void ShowHelp(KernelInvocationContext context, string? subcommand)
    {
        var help = subcommand is null
            ? MagicHelp.ForMagic(MagicName, Description, Subcommands)
            : MagicHelp.ForSubcommand(MagicName, Subcommands.First(s => s.Name == subcommand));
        context.Publish(new DisplayedValueProduced(help.Text, context.Command, help.FormattedValues()));
    }

    /// <summary>
    /// Before any command of a submission that has <c>#!smitin</c> lines runs (including .NET Interactive's failing
    /// stand-in for a line it could not bind), checks every such line against the tables. The first problem fails the
    /// command with the subcommand's help and a message naming the culprit; nothing of the submission's magics runs.
    /// </summary>
    static async Task CheckLinesFirst(KernelCommand command, KernelInvocationContext context, KernelPipelineContinuation next)
    {
        bool ours = command is SmitinMagicCommand or SmitinRootMagic || command.GetType().Name == "AnonymousKernelCommand";
        if (ours && command.Parent is SubmitCode submit && submit.Code.Contains(MagicName, StringComparison.Ordinal))
        {
            var error = Checked.GetValue(submit, s => new StrongBox<MagicLine.Error?>(FirstProblem(s.Code))).Value;
            if (error is not null)
            {
                ShowHelp(context, error.Subcommand);
                context.Fail(command, message: $"{MagicName}{(error.Subcommand is null ? "" : " " + error.Subcommand)}: {error.Message}");
                return;
            }
            if (command.GetType().Name == "AnonymousKernelCommand")
            {
                // .NET Interactive refused a line our tables accept (e.g. a value reference it could not resolve):
                // show the help of each #!smitin line, then its own diagnostic.
                foreach (var line in MagicLines(submit.Code))
                {
                    string[] words = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
                    ShowHelp(context, words.Length > 1 && Tables.ContainsKey(words[1]) ? words[1] : null);
                }
            }
        }
        await next(command, context);
    }

    static IEnumerable<string> MagicLines(string code) =>
        code.Split('\n').Select(l => l.Trim()).Where(l => l == MagicName || l.StartsWith(MagicName + " ", StringComparison.Ordinal) || l.StartsWith(MagicName + "\t", StringComparison.Ordinal));

    static MagicLine.Error? FirstProblem(string code)
    {
        foreach (var line in MagicLines(code))
        {
            try { MagicLine.Parse(line, MagicName, Tables, RootOptions); }
            catch (MagicLine.Error e) { return e; }
        }
        return null;
    }
}

/// <summary>The bare <c>#!smitin</c> (no subcommand): shows the overview help.</summary>
public sealed class SmitinRootMagic : KernelDirectiveCommand
{
    public bool Help { get; set; }
}
