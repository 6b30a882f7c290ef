using Smitin.Data.Synth;

namespace Smitin.Tests.Judging;

/// <summary>
/// A small synthetic stem collection rendered once per test run for the judge tests: 14 songs × 6 s at 16 kHz (the
/// default model's rate), seed 3, about 15 s with fluidsynth. Deleted when the test process exits.
/// </summary>
public static class JudgeSongs
{
    public static readonly SynthOptions Options = new() { Songs = 14, Seconds = 6, SampleRate = 16000, Seed = 3, Jobs = 2 };

    static readonly Lazy<string> Rendered = new(() =>
    {
        var dir = new TempDir();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => dir.Dispose();
        string root = dir["songs"];
        SyntheticSongGenerator.Generate(root, Options);
        return root;
    }, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The collection's folder (rendered on first use).</summary>
    public static string Root => Rendered.Value;
}
