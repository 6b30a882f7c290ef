namespace Smitin.Cli;

/// <summary>
/// Option names of the first release, kept as hidden aliases (docs/options.md, last column). Before parsing, each old
/// name is rewritten to its new one and a deprecation line goes to stderr; <c>--help</c> lists only the new names.
/// </summary>
static class CliAliases
{
    /// <summary>Per command path ("generate", "dataset synth"): old name → new name.</summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Table =
        new Dictionary<string, IReadOnlyDictionary<string, string>>
        {
            ["generate"] = new Dictionary<string, string> { ["--steer"] = "--probes", ["--monitor"] = "--probes" },
            ["probe"] = new Dictionary<string, string>
            {
                ["--monitor"] = "--monitor-heads", ["--exponent"] = "--soft-weight-exponent", ["--seconds"] = "--segment-seconds",
                ["--batch"] = "--batch-size", ["--stems"] = "--source", ["--folders"] = "--source", ["--manifest"] = "--source",
            },
            ["dataset synth"] = new Dictionary<string, string> { ["--seconds"] = "--song-seconds", ["--rate"] = "--sample-rate" },
            ["dataset scan"] = new Dictionary<string, string> { ["--max-per-track"] = "--max-segments-per-track" },
            ["judge train"] = new Dictionary<string, string> { ["--stems"] = "--source", ["--seconds"] = "--segment-seconds" },
            ["eval"] = new Dictionary<string, string>
            {
                ["--stems"] = "--prompt-source", ["--probe-stems"] = "--source", ["--batch"] = "--batch-size",
                ["--alpha"] = "--alphas", ["--direction"] = "--directions",
            },
            ["demo"] = new Dictionary<string, string> { ["--batch"] = "--batch-size", ["--alpha"] = "--alphas", ["--direction"] = "--directions" },
        };

    /// <summary>
    /// Rewrites old option names in <paramref name="args"/> (also <c>--old=value</c>), writing one deprecation line per
    /// name to <paramref name="warnings"/>. Two keep their first-release meaning: <c>generate --steer FILE</c> steers
    /// (<c>--probes FILE</c>, plus <c>--mode smitin</c> when no <c>--mode</c> is given) and <c>generate --monitor FILE</c>
    /// only watches (<c>--probes FILE:monitor</c>).
    /// </summary>
    public static string[] Rewrite(string[] args, TextWriter warnings)
    {
        string path = args.Length > 1 && Table.ContainsKey($"{args[0]} {args[1]}") ? $"{args[0]} {args[1]}" : args.Length > 0 ? args[0] : "";
        if (!Table.TryGetValue(path, out var aliases)) return args;
        var output = new List<string>(args.Length + 2);
        var warned = new HashSet<string>();
        bool steerGiven = false;
        for (int i = 0; i < args.Length; i++)
        {
            string arg = args[i];
            if (arg == "--")
            {
                output.AddRange(args[i..]);
                break;
            }
            int sep = arg.StartsWith("--", StringComparison.Ordinal) ? arg.IndexOfAny(['=', ':']) : -1;
            string name = sep > 0 ? arg[..sep] : arg;
            if (!aliases.TryGetValue(name, out var replacement))
            {
                output.Add(arg);
                continue;
            }
            if (warned.Add(name))
                warnings.WriteLine($"smitin: warning: {name} is deprecated, use {replacement}{Note(path, name)}");
            string? value = sep > 0 ? arg[(sep + 1)..] : null;
            if (path == "generate" && name == "--monitor")
            {
                value ??= i + 1 < args.Length ? args[++i] : null;
                output.Add(replacement);
                if (value is not null) output.Add(value.Contains(':') ? value : value + ":monitor");
                continue;
            }
            steerGiven |= path == "generate" && name == "--steer";
            output.Add(value is null ? replacement : $"{replacement}={value}");
        }
        if (steerGiven && !output.Any(a => a == "--mode" || a.StartsWith("--mode=", StringComparison.Ordinal) || a.StartsWith("--mode:", StringComparison.Ordinal)))
            output.AddRange(["--mode", "smitin"]);
        return output.ToArray();
    }

    static string Note(string path, string name) => (path, name) switch
    {
        ("generate", "--steer") => " (and --mode smitin, the first release's default)",
        ("generate", "--monitor") => " FILE:monitor",
        ("eval" or "demo", "--alpha") => " (the SMITIN α compared, one row each; --alpha is the one α of generate)",
        ("eval" or "demo", "--direction") => " (the directions compared, one row each; --direction is the one direction of probe and generate)",
        _ => "",
    };
}
