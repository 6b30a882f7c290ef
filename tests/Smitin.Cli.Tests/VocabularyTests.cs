using System.CommandLine;
using System.Globalization;
using System.Text.RegularExpressions;
using Smitin.Cli;
using Smitin.Data;
using Smitin.Data.Synth;
using Smitin.Evaluation;
using Smitin.Generation;
using Smitin.Interactive.Magics;
using Smitin.Judging;
using Smitin.Probing;
using Smitin.Steering;

namespace Smitin.Tests.Cli;

/// <summary>
/// Issue 14: one option vocabulary for the command line and the notebook magics. docs/options.md is the source of
/// truth: every option of every CLI command and every magic must be a row there (one name per concept, one meaning per
/// name), listed under the commands that really have it, with the default the engine's option record holds, shown the
/// same way in the CLI's and the magics' help. Deprecated names must be the ones the table lists.
/// </summary>
public class VocabularyTests
{
    /// <summary>A row of the table.</summary>
    sealed record Row(string Option, string Meaning, string Default, HashSet<string> Cli, HashSet<string> Magics, string Replaces);

    static readonly Lazy<IReadOnlyDictionary<string, Row>> Table = new(() =>
    {
        var rows = new Dictionary<string, Row>(StringComparer.Ordinal);
        foreach (var line in File.ReadAllLines(Path.Combine(RepoRoot, "docs", "options.md")))
        {
            if (!line.StartsWith("| `--", StringComparison.Ordinal)) continue;
            var cells = Regex.Split(line.Trim().Trim('|'), @"(?<!\\)\|").Select(c => c.Trim()).ToArray();
            Assert.True(cells.Length == 6, $"docs/options.md row with {cells.Length} cells: {line}");
            string option = cells[0].Trim('`');
            Assert.True(rows.TryAdd(option, new Row(option, cells[1], cells[2], Names(cells[3]), Names(cells[4]), cells[5])),
                $"docs/options.md lists {option} twice");
        }
        return rows;
    });

    static HashSet<string> Names(string cell) =>
        cell.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);

    static string RepoRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Smitin.sln"))) return dir.FullName;
            throw new DirectoryNotFoundException("Smitin.sln not found above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>Every CLI command that runs something, by path ("generate", "dataset synth", "judge" and "judge train"),
    /// with its visible options.</summary>
    static Dictionary<string, List<Option>> CliCommands()
    {
        var result = new Dictionary<string, List<Option>>(StringComparer.Ordinal);
        void Walk(Command c, string path)
        {
            if (c.Subcommands.Count == 0 || c.Action is not null)
                result[path] = c.Options.Where(o => !o.Hidden && o is not System.CommandLine.Help.HelpOption && o is not VersionOption).ToList();
            foreach (var s in c.Subcommands) Walk(s, path.Length == 0 ? s.Name : $"{path} {s.Name}");
        }
        foreach (var c in Commands.All()) Walk(c, c.Name);
        return result;
    }

    /// <summary>Every magic subcommand with its options (deprecated aliases excluded).</summary>
    static Dictionary<string, List<MagicOption>> Magics() =>
        SmitinMagics.Subcommands.ToDictionary(s => s.Name, s => s.Options.Where(o => !o.Deprecated).ToList());

    [Fact]
    public void Every_cli_option_is_a_row_listed_under_its_command()
    {
        foreach (var (path, options) in CliCommands())
            foreach (var o in options)
            {
                Assert.True(Table.Value.TryGetValue(o.Name, out var row), $"smitin {path} {o.Name} is not in docs/options.md");
                Assert.True(row!.Cli.Contains(path), $"docs/options.md row {o.Name} does not list the CLI command '{path}' (lists: {string.Join(", ", row.Cli)})");
            }
    }

    [Fact]
    public void Every_magic_option_is_a_row_listed_under_its_magic()
    {
        foreach (var (sub, options) in Magics())
            foreach (var o in options)
            {
                Assert.True(Table.Value.TryGetValue(o.Name, out var row), $"#!smitin {sub} {o.Name} is not in docs/options.md");
                Assert.True(row!.Magics.Contains(sub) || row.Magics.Contains("every magic"),
                    $"docs/options.md row {o.Name} does not list the magic '{sub}' (lists: {string.Join(", ", row.Magics)})");
            }
    }

    [Fact]
    public void Every_row_exists_where_the_table_says()
    {
        var cli = CliCommands();
        var magics = Magics();
        Assert.True(Table.Value.Count >= 50, $"docs/options.md: only {Table.Value.Count} rows read");
        Assert.True(cli.Count >= 8 && magics.Count == 7, $"{cli.Count} CLI commands, {magics.Count} magics");
        foreach (var row in Table.Value.Values)
        {
            foreach (var path in row.Cli.Where(p => p != "every command"))
            {
                Assert.True(cli.TryGetValue(path, out var options), $"docs/options.md row {row.Option}: no CLI command '{path}'");
                Assert.True(options!.Any(o => o.Name == row.Option), $"docs/options.md says smitin {path} has {row.Option}; it does not");
            }
            foreach (var sub in row.Magics.Where(m => m != "every magic"))
            {
                Assert.True(magics.TryGetValue(sub, out var options), $"docs/options.md row {row.Option}: no magic '{sub}'");
                Assert.True(options!.Any(o => o.Name == row.Option), $"docs/options.md says #!smitin {sub} has {row.Option}; it does not");
            }
        }
    }

    [Fact]
    public void One_meaning_per_row_and_every_deprecated_name_is_documented()
    {
        var meanings = Table.Value.Values.GroupBy(r => r.Meaning).Where(g => g.Count() > 1).Select(g => string.Join(" and ", g.Select(r => r.Option)));
        Assert.Empty(meanings);
        foreach (var (path, aliases) in CliAliases.Table)
            foreach (var (old, now) in aliases)
            {
                Assert.True(Table.Value.TryGetValue(now, out var row), $"CLI alias {old} → {now}: {now} is not in docs/options.md");
                Assert.Contains($"`{old}", row!.Replaces);
                Assert.False(CliCommands()[path].Any(o => o.Name == old), $"smitin {path}: {old} is both an option and a deprecated alias");
            }
        foreach (var sub in SmitinMagics.Subcommands)
            foreach (var alias in sub.Options.Where(o => o.Deprecated))
            {
                Assert.True(Table.Value.TryGetValue(alias.ReplacedBy!, out var row), $"magic alias {alias.Name} → {alias.ReplacedBy}: not in docs/options.md");
                Assert.Contains($"`{alias.Name}", row!.Replaces);
            }
    }

    /// <summary>Numeric defaults: the table's value = the engine record's = what every CLI and magic help says.</summary>
    public static TheoryData<string, double> EngineDefaults() => new()
    {
        { "--duration", GenerationOptions.DefaultDurationSeconds },
        { "--top-k", new GenerationOptions().TopK },
        { "--top-p", new GenerationOptions().TopP },
        { "--temperature", new GenerationOptions().Temperature },
        { "--alpha", new SteeringOptions().Alpha },
        { "--every", new SteeringOptions().Every },
        { "--top-k-heads", new SteeringOptions().TopKHeads },
        { "--soft-weight-exponent", new ProbeSetOptions().SoftWeightExponent },
        { "--monitor-heads", new ProbeSetOptions().MonitorHeadCount },
        { "--segment-seconds", new SegmentOptions().SegmentSeconds },
        { "--validation", new SegmentOptions().ValidationFraction },
        { "--silence-db", new SegmentOptions().SilenceThresholdDbfs },
        { "--batch-size", new CaptureOptions().BatchSize },
        { "--max-segments", new CaptureOptions().MaxSegments },
        { "--songs", new SynthOptions().Songs },
        { "--song-seconds", new SynthOptions().Seconds },
        { "--sample-rate", new SynthOptions().SampleRate },
        { "--prompts", new EvaluationOptions().Prompts },
        { "--prompt-seconds", new EvaluationOptions().PromptSeconds },
        { "--continuation-seconds", new EvaluationOptions().ContinuationSeconds },
        { "--iti-alpha", new EvaluationOptions().ItiAlpha },
        { "--probe-songs", new DemoOptions().ProbeSongs },
        { "--eval-songs", new DemoOptions().EvalSongs },
    };

    /// <summary>List defaults (one row per value): the table's list = the engine record's = what every help says.</summary>
    public static TheoryData<string, string> EngineListDefaults() => new()
    {
        { "--alphas", string.Join(", ", new EvaluationOptions().SmitinAlphas.Select(Shown)) },
        { "--directions", string.Join(", ", new EvaluationOptions().Directions.Select(ProbeSetOptions.Name)) },
    };

    static string Shown(double v) => v.ToString(CultureInfo.CurrentCulture);

    [Theory]
    [MemberData(nameof(EngineDefaults))]
    public void A_numeric_default_is_the_engine_records_in_the_table_and_in_every_help(string option, double engineDefault)
    {
        var row = Table.Value[option];
        var numbers = Regex.Matches(row.Default, @"(?<![\w.])-?\d+(\.\d+)?(?![\w.])");
        Assert.True(numbers.Count == 1 && row.Default.StartsWith(numbers[0].Value, StringComparison.Ordinal),
            $"{option}: the table's default '{row.Default}' must start with its one number (one default per option)");
        Assert.Equal(engineDefault, double.Parse(numbers[0].Value, CultureInfo.InvariantCulture));
        // Every command and magic shows this one value. p and M when steering default to the probe set's (their help
        // says so); their numbers are the probing side's.
        string shown = $"default {Shown(engineDefault)}";
        foreach (var (path, options) in CliCommands())
            if (options.FirstOrDefault(o => o.Name == option) is { } o && o.Description?.Contains("the probe set's") != true)
            {
                Assert.True(Regex.IsMatch(o.Description ?? "", Regex.Escape(shown) + @"(?![0-9]|\.[0-9])"),     // "default 0.2" is not "default 0.25"
                    $"smitin {path} {option}: help '{o.Description}' does not say '{shown}' (docs/options.md: one default per option)");
                Assert.False(o.HasDefaultValue, $"smitin {path} {option} declares its own default; the engine record owns it");
            }
        foreach (var (sub, options) in Magics())
            if (options.FirstOrDefault(o => o.Name == option) is { } m && !m.Description.Contains("the probe set's"))
                Assert.True(Regex.IsMatch(m.Description, Regex.Escape(shown) + @"(?![0-9]|\.[0-9])"),
                    $"#!smitin {sub} {option}: help '{m.Description}' does not say '{shown}' (docs/options.md: one default per option)");
    }

    [Theory]
    [MemberData(nameof(EngineListDefaults))]
    public void A_list_default_is_the_engine_records_in_the_table_and_in_every_help(string option, string engineDefault)
    {
        var row = Table.Value[option];
        string invariant = engineDefault.Replace(CultureInfo.CurrentCulture.NumberFormat.NumberDecimalSeparator, ".", StringComparison.Ordinal);
        Assert.True(row.Default == invariant, $"docs/options.md {option}: default '{row.Default}', the engine's is '{invariant}'");
        int helps = 0;
        foreach (var (path, options) in CliCommands())
            if (options.FirstOrDefault(o => o.Name == option) is { } o && o.Description?.Contains("one row each") == true)
            {
                helps++;
                Assert.True(o.Description.Contains($"(default {engineDefault})", StringComparison.Ordinal),
                    $"smitin {path} {option}: help '{o.Description}' does not say '(default {engineDefault})'");
                Assert.False(o.HasDefaultValue, $"smitin {path} {option} declares its own default; the engine record owns it");
            }
        Assert.True(helps >= 2, $"{option}: expected the eval and demo help to show the list, found {helps}");
    }

    /// <summary>
    /// The parts of a default cell that give one command its own default, <c>command: value</c> (as in
    /// <c>8; eval: 25</c>); <paramref name="commands"/> are the CLI command paths and magic names.
    /// </summary>
    static IEnumerable<string> CommandOwnDefaults(string cell, IReadOnlySet<string> commands) =>
        cell.Split(';').Select(part => part.Trim())
            .Where(part => Regex.Match(part, @"^(?<names>[^:()]+?)\s*:\s*\S") is { Success: true } m
                && Regex.Split(m.Groups["names"].Value, @",|\band\b|\bor\b").Select(n => n.Trim().Trim('`')).Any(commands.Contains));

    [Fact]
    public void One_default_per_option_in_the_table()
    {
        var commands = CliCommands().Keys.Concat(Magics().Keys).ToHashSet(StringComparer.Ordinal);
        // The check itself: the form the table used for per-command defaults is caught.
        Assert.Equal(["eval: 25", "demo: 25"], CommandOwnDefaults("8; eval: 25; demo: 25", commands));
        Assert.Equal(["judge train: 0.25"], CommandOwnDefaults("0.2; judge train: 0.25", commands));
        Assert.Equal(["eval, demo: 40"], CommandOwnDefaults("100; eval, demo: 40", commands));
        var twoDefaults = Table.Value.Values
            .Select(r => (r.Option, Own: CommandOwnDefaults(r.Default, commands).ToList()))
            .Where(r => r.Own.Count > 0)
            .Select(r => $"{r.Option}: {string.Join("; ", r.Own)}");
        Assert.True(!twoDefaults.Any(), "docs/options.md gives commands their own default (one default per option; choose one "
            + "in the engine record, or give the concept its own name):\n" + string.Join("\n", twoDefaults));
    }

    /// <summary>
    /// <c>--seed</c> has one default everywhere (the issue: "the default seed is 0 in the notebook and random in the
    /// engine"): a random seed, printed and recorded (<see cref="RandomSeed"/>). The table says so in one cell, every
    /// option record leaves its seed unset, and every CLI command's and magic's help says the same, never a number.
    /// </summary>
    [Fact]
    public void The_seed_has_one_default_random_in_the_table_the_records_and_every_help()
    {
        var row = Table.Value["--seed"];
        Assert.True(row.Default == RandomSeed.Default, $"docs/options.md --seed: default '{row.Default}', expected the one default '{RandomSeed.Default}'");
        Assert.Null(new GenerationOptions().Seed);
        Assert.Null(new SynthOptions().Seed);
        Assert.Null(new SegmentOptions().Seed);
        Assert.Null(new TraitJudgeOptions().Seed);
        Assert.Null(new EvaluationOptions().Seed);
        Assert.Null(new DemoOptions().Evaluation.Seed);
        string shown = $"default: {RandomSeed.Default}";
        var helps = CliCommands().SelectMany(c => c.Value.Where(o => o.Name == "--seed").Select(o => (Where: $"smitin {c.Key}", Help: o.Description ?? "", Own: o.HasDefaultValue)))
            .Concat(Magics().SelectMany(m => m.Value.Where(o => o.Name == "--seed").Select(o => (Where: $"#!smitin {m.Key}", Help: o.Description, Own: false))))
            .ToList();
        Assert.Equal(row.Cli.Count + row.Magics.Count, helps.Count);                     // every command and magic the table lists
        foreach (var (where, help, own) in helps)
        {
            Assert.True(help.Contains(shown, StringComparison.Ordinal), $"{where} --seed: help '{help}' does not say '{shown}' (docs/options.md: one default per option)");
            Assert.False(Regex.IsMatch(help, @"default:?\s+-?\d"), $"{where} --seed: help '{help}' gives a numeric default");
            Assert.False(own, $"{where} --seed declares its own default; RandomSeed owns it");
        }
    }

    [Fact]
    public void Probe_time_knobs_default_to_the_probe_set_when_steering()
    {
        var steering = new SteeringOptions();
        Assert.Null(steering.SoftWeightExponent);
        Assert.Null(steering.MonitorHeadCount);
        Assert.Null(steering.Tau);
        foreach (var option in new[] { "--soft-weight-exponent", "--monitor-heads", "--tau" })
            Assert.Contains("the probe set's", Table.Value[option].Default);
    }

    /// <summary>
    /// No numeric default is retyped in the front ends: no <c>DefaultValueFactory = _ => 3</c>, no <c>X ?? 16</c>, no
    /// "(default 5)" written out in a help string (the help interpolates the record's value instead).
    /// </summary>
    [Fact]
    public void Front_ends_do_not_retype_numeric_defaults()
    {
        var patterns = new[]
        {
            new Regex(@"DefaultValueFactory\s*=\s*_\s*=>\s*-?\d"),
            new Regex(@"\?\?\s*-?\d+(\.\d+)?\b(?!\s*[\]\)]\s*\.)"),
            new Regex(@"""[^""{]*\bdefault:?\s+-?\d+(\.\d+)?(\s*[),;.]|\s+(s|Hz)\b)"),   // "(default 5)", "(default 10 s)"; not "default 16-bit"
        };
        var offenders = new List<string>();
        foreach (var project in new[] { "Smitin.Cli", "Smitin.Interactive" })
            foreach (var file in Directory.GetFiles(Path.Combine(RepoRoot, "src", project), "*.cs", SearchOption.AllDirectories)
                         .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}")))
            {
                var lines = File.ReadAllLines(file);
                for (int i = 0; i < lines.Length; i++)
                    if (patterns.Any(p => p.IsMatch(lines[i])))
                        offenders.Add($"{Path.GetRelativePath(RepoRoot, file)}:{i + 1}: {lines[i].Trim()}");
            }
        Assert.True(offenders.Count == 0, "numeric defaults retyped in a front end:\n" + string.Join("\n", offenders));
    }
}
