using Smitin.Audio;
using Smitin.Probing;
using Smitin.Tests.Data;
using Smitin.Tests.Probing;
using Smitin.Tests.Steering;

namespace Smitin.Tests.Cli;

/// <summary>
/// Issue 17 acceptance: every numeric option of every CLI command, driven through extreme values (±0, denormals,
/// 1e±38 and beyond, NaN, ±Infinity, int and long limits), ends either in a valid result (exit 0 and a readable,
/// finite output) or in a one-line error that names the option (exit 1) — never in an unhandled or native exception.
/// </summary>
public sealed class NumericOptionExtremesTests : IClassFixture<NumericOptionExtremesTests.Inputs>
{
    /// <summary>Shared inputs: a probe set of the fixture model, planted-trait folders, a tiny stem collection.</summary>
    public sealed class Inputs : IDisposable
    {
        public TempDir Dir { get; } = new();
        public string Probe => Dir["drums.probe"];
        public string Folders => Dir["planted"];
        public string Stems => Dir["stems"];

        public Inputs()
        {
            using (var model = TinyModel.Load()) HandBuiltProbes.For(model, "drums").Save(Probe);
            foreach (var side in new[] { "with", "without" }) Directory.CreateDirectory(Path.Combine(Folders, side));
            for (int i = 0; i < 6; i++)
            {
                var (with, without) = PlantedTrait.Clips($"track{i:D3}", 1.0);
                with.Save(Path.Combine(Folders, "with", $"t{i}.wav"), WavEncoding.Float32);
                without.Save(Path.Combine(Folders, "without", $"t{i}.wav"), WavEncoding.Float32);
            }
            TinyCollection.WriteMusdb(Stems, 3, 2.0);
        }

        public void Dispose() => Dir.Dispose();
    }

    readonly Inputs _in;
    public NumericOptionExtremesTests(Inputs inputs) => _in = inputs;

    /// <summary>±0, denormals (double's smallest, float32's smallest and its smallest normal), 1e±38 and past float32,
    /// past double's exponent range as text, NaN, ±∞, and the int/long limits (and one past them).</summary>
    public static readonly string[] Extremes =
    [
        "0", "-0", "4.9E-324", "1.4E-45", "1.1754944E-38", "1E-38", "1E+38", "3.4028235E+38", "1E+39", "-1E+39", "1E+308", "1E+309",
        "NaN", "Infinity", "-Infinity", "2147483647", "-2147483648", "2147483648", "9223372036854775807", "-9223372036854775808",
    ];

    /// <summary>(command line before the option, option, names the error may use for it).</summary>
    public static TheoryData<string, string, string> Options() => new()
    {
        { "generate --text rock --max-new-tokens 8", "--top-k", "top-k" },
        { "generate --text rock --max-new-tokens 8", "--top-p", "top-p" },
        { "generate --text rock --max-new-tokens 8", "--temperature", "temperature" },
        { "generate --text rock --max-new-tokens 8", "--guidance", "guidance" },
        { "generate --text rock --max-new-tokens 8", "--seed", "seed" },
        { "generate --text rock", "--duration", "duration" },
        { "generate --text rock", "--max-new-tokens", "max-new-tokens" },
        { "generate --text rock --max-new-tokens 8 --steer @probe", "--alpha", "alpha" },
        { "generate --text rock --max-new-tokens 8 --steer @probe", "--every", "every" },
        { "generate --text rock --max-new-tokens 8 --steer @probe --mode iti", "--top-k-heads", "top-k-heads" },
        { "generate --text rock --max-new-tokens 8 --steer @probe", "--tau", "tau" },
        { "generate --text rock --max-new-tokens 8 --steer @probe:remove", "--tau-remove", "tau-remove" },
        { "generate --text rock --max-new-tokens 8 --steer @probe", "--soft-weight-exponent", "soft-weight-exponent" },
        { "generate --text rock --max-new-tokens 8 --monitor @probe", "--monitor-heads", "monitor-heads" },
        { "probe --folders @folders --trait tone --no-cache --validation 0.34", "--seconds", "seconds" },
        { "probe --folders @folders --trait tone --no-cache --seconds 0.5", "--validation", "validation" },
        { "probe --folders @folders --trait tone --no-cache --seconds 0.5 --validation 0.34", "--seed", "seed" },
        { "probe --folders @folders --trait tone --no-cache --seconds 0.5 --validation 0.34", "--max-segments-per-track", "max-segments-per-track" },
        { "probe --folders @folders --trait tone --no-cache --seconds 0.5 --validation 0.34", "--tau", "tau" },
        { "probe --folders @folders --trait tone --no-cache --seconds 0.5 --validation 0.34", "--monitor", "monitor" },
        { "probe --folders @folders --trait tone --no-cache --seconds 0.5 --validation 0.34", "--exponent", "exponent" },
        { "probe --folders @folders --trait tone --no-cache --seconds 0.5 --validation 0.34", "--batch", "batch" },
        { "dataset synth --seconds 1 --jobs 1", "--songs", "songs" },
        { "dataset synth --songs 1 --jobs 1", "--seconds", "seconds" },
        { "dataset synth --songs 1 --seconds 1 --jobs 1", "--seed", "seed" },
        { "dataset synth --songs 1 --seconds 1 --jobs 1", "--rate", "rate" },
        { "dataset synth --songs 1 --seconds 1", "--jobs", "jobs" },
        { "dataset scan @stems --trait drums", "--segment-seconds", "segment-seconds" },
        { "dataset scan @stems --trait drums", "--silence-db", "silence-db" },
        { "dataset scan @stems --trait drums", "--validation", "validation" },
        { "dataset scan @stems --trait drums", "--seed", "seed" },
        { "dataset scan @stems --trait drums", "--max-per-track", "per-track" },
    };

    [Theory]
    [MemberData(nameof(Options))]
    public async Task Extreme_values_give_a_named_error_or_a_valid_result(string before, string option, string name)
    {
        var outcomes = new List<string>();
        foreach (string value in Extremes)
        {
            using var run = new TempDir();
            string output = before.StartsWith("generate", StringComparison.Ordinal) ? run["o.wav"]
                : before.StartsWith("probe", StringComparison.Ordinal) ? run["o.probe"] : run["songs"];
            var args = before.Split(' ').Select(a => a.Replace("@probe", _in.Probe).Replace("@folders", _in.Folders).Replace("@stems", _in.Stems)).ToList();
            if (!before.StartsWith("dataset scan", StringComparison.Ordinal)) args.AddRange(["--out", output]);
            if (!before.StartsWith("dataset", StringComparison.Ordinal)) args.AddRange(["--model", Fixture.Model()]);
            args.Add(option + "=" + value);                                                  // '=' so "-1E+39" is a value, not an option

            var (code, error) = await CliHost.RunCapturingErrors([.. args]);
            string where = $"{option} {value}: exit {code}: {Tail(error)}";
            Assert.False(error.Contains("Unhandled exception", StringComparison.Ordinal), $"unhandled: {option} {value}: {error[Math.Max(0, error.IndexOf("Unhandled", StringComparison.Ordinal))..]}");
            Assert.False(error.Contains("   at ", StringComparison.Ordinal), $"stack trace (managed or native): {where}");
            // NaN, +∞ and values that overflow double to ∞ are never valid; -∞ only where it means "no threshold"
            bool mustRefuse = value is "NaN" or "Infinity" or "1E+309" || (value == "-Infinity" && option != "--silence-db");
            if (code == 0)
            {
                Assert.False(mustRefuse, $"accepted: {where}");
                AssertValidResult(before, output, where);
                outcomes.Add($"{value}: ok");
                continue;
            }
            Assert.True(code == 1, where);
            string line = error.Split('\n').LastOrDefault(l => l.Contains("smitin: error:") || l.Contains(option, StringComparison.Ordinal)) ?? "";
            Assert.True(line.Contains(name, StringComparison.Ordinal), $"the error does not name '{name}': {where}");
            outcomes.Add($"{value}: refused");
        }
        Assert.Equal(Extremes.Length, outcomes.Count);
    }

    static string Tail(string error) => string.Join(" | ", error.Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(3));

    static void AssertValidResult(string before, string output, string where)
    {
        if (before.StartsWith("generate", StringComparison.Ordinal))
        {
            var clip = AudioClip.Load(output);
            Assert.True(clip.Frames > 0, where);
            Assert.True(clip.Samples.All(ch => ch.All(float.IsFinite)), $"non-finite audio: {where}");
        }
        else if (before.StartsWith("probe", StringComparison.Ordinal))
        {
            var set = ProbeSet.Load(output);
            Assert.True(set.Accuracy.All(float.IsFinite), where);
        }
        else if (before.StartsWith("dataset synth", StringComparison.Ordinal))
            Assert.True(File.Exists(Path.Combine(output, "descriptions.tsv")), where);
    }
}
