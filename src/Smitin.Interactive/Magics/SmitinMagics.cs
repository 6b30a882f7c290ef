using System.Runtime.CompilerServices;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.Directives;

namespace Smitin.Interactive.Magics;

/// <summary>
/// Declares the <c>#!smitin</c> magic and its subcommands on a root kernel (one <see cref="KernelActionDirective"/>
/// and one command type per subcommand), runs them with uniform error handling, and shows a subcommand's help when
/// .NET Interactive rejects its options before our handler runs (unknown option, missing or malformed value).
/// </summary>
internal static class SmitinMagics
{
    internal const string MagicName = "#!smitin";

    /// <summary>The subcommands, in banner and help order.</summary>
    internal static readonly string[] SubcommandNames = ["load", "dataset", "probe", "heatmap", "generate", "compare", "trace"];

    static readonly ConditionalWeakTable<Kernel, KernelActionDirective> Declared = new();

    /// <summary>Registers the magic once per root kernel; false when it was registered already.</summary>
    internal static bool Register(Kernel root)
    {
        if (root.KernelInfo.SupportedDirectives.Any(d => d.Name == MagicName)) return false;

        var load = LoadMagic.Declare();
        var dataset = DatasetMagic.Declare();
        var probe = ProbeMagic.Declare();
        var heatmap = HeatmapMagic.Declare();
        var generate = GenerateMagic.Declare();
        var compare = CompareMagic.Declare();
        var trace = TraceMagic.Declare();
        var magic = new KernelActionDirective(MagicName,
            "Smitin: load MusicGen, build probing datasets, train per-head probes, generate and steer music (SMITIN / ITI).")
        {
            Parameters = { HelpParameter() },
            Subcommands = { load, dataset, probe, heatmap, generate, compare, trace },
        };
        Declared.AddOrUpdate(root, magic);

        root.AddDirective<SmitinRootMagic>(magic, (cmd, ctx) => { ShowHelp(ctx, root, null); return Task.CompletedTask; });
        root.AddDirective<LoadMagic>(load, (cmd, ctx) => RunAsync(cmd, ctx, root, "load"));
        root.AddDirective<DatasetMagic>(dataset, (cmd, ctx) => RunAsync(cmd, ctx, root, "dataset"));
        root.AddDirective<ProbeMagic>(probe, (cmd, ctx) => RunAsync(cmd, ctx, root, "probe"));
        root.AddDirective<HeatmapMagic>(heatmap, (cmd, ctx) => RunAsync(cmd, ctx, root, "heatmap"));
        root.AddDirective<GenerateMagic>(generate, (cmd, ctx) => RunAsync(cmd, ctx, root, "generate"));
        root.AddDirective<CompareMagic>(compare, (cmd, ctx) => RunAsync(cmd, ctx, root, "compare"));
        root.AddDirective<TraceMagic>(trace, (cmd, ctx) => RunAsync(cmd, ctx, root, "trace"));
        root.AddMiddleware(ShowHelpOnParseFailure);
        return true;
    }

    /// <summary>The <c>--help</c> flag every level carries.</summary>
    internal static KernelDirectiveParameter HelpParameter() =>
        new("--help", "Show this help instead of running the command.") { Flag = true };

    static async Task RunAsync(SmitinMagicCommand command, KernelInvocationContext context, Kernel root, string subcommand)
    {
        if (command.Help)
        {
            ShowHelp(context, root, subcommand);
            return;
        }
        var magic = new MagicContext(SmitinSession.Of(root), context, root);
        try
        {
            await command.RunAsync(magic);
            if (magic.Bound.Count > 0)
                magic.DisplayHtml($"<div class=\"smitin-bound\">C# variables: {string.Join(", ", magic.Bound.Select(v => $"<code>{v}</code>"))}</div>");
        }
        catch (MagicUsageException e)
        {
            ShowHelp(context, root, subcommand);
            context.Fail(command, message: $"#!smitin {subcommand}: {e.Message}");
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            context.Fail(command, message: $"#!smitin {subcommand}: cancelled");
        }
        catch (SmitinException e)
        {
            context.Fail(command, message: $"#!smitin {subcommand}: {e.Message}");
        }
    }

    static void ShowHelp(KernelInvocationContext context, Kernel root, string? subcommand)
    {
        if (!Declared.TryGetValue(root, out var magic)) return;
        var help = subcommand is null ? MagicHelp.ForMagic(magic) : MagicHelp.ForSubcommand(magic, subcommand);
        context.Publish(new Microsoft.DotNet.Interactive.Events.DisplayedValueProduced(help.Text, context.Command, help.FormattedValues()));
    }

    /// <summary>
    /// .NET Interactive replaces a submission whose directive does not parse/bind with a failing hidden command.
    /// When that submission has <c>#!smitin</c> lines, show the help of each line that fails on its own, then let
    /// the failure (with .NET Interactive's diagnostic message) proceed.
    /// </summary>
    static async Task ShowHelpOnParseFailure(KernelCommand command, KernelInvocationContext context, KernelPipelineContinuation next)
    {
        if (command.GetType().Name == "AnonymousKernelCommand" && command.Parent is SubmitCode submit &&
            submit.Code.Contains(MagicName, StringComparison.Ordinal) && context.HandlingKernel?.RootKernel is { } root)
        {
            var lines = submit.Code.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith(MagicName, StringComparison.Ordinal));
            foreach (var line in lines)
            {
                string[] words = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
                string? sub = words.Length > 1 && SubcommandNames.Contains(words[1]) ? words[1] : null;
                if (await FailsAlone(root, line)) ShowHelp(context, root, sub);
            }
        }
        await next(command, context);
    }

    static async Task<bool> FailsAlone(Kernel root, string line)
    {
        try
        {
            var commands = await root.SubmissionParser.SplitSubmission(new SubmitCode(line));
            return commands.Count == 1 && commands[0].GetType().Name == "AnonymousKernelCommand";
        }
        catch (Exception)
        {
            return true;
        }
    }
}

/// <summary>The bare <c>#!smitin</c> (no subcommand): shows the overview help.</summary>
public sealed class SmitinRootMagic : KernelDirectiveCommand
{
    public bool Help { get; set; }
}
