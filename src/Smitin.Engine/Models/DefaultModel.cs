namespace Smitin.Models;

/// <summary>
/// Smitin's embedded default model, <c>smitin-synth-small</c>: a small MusicGen-architecture checkpoint trained by this
/// project on synthetic songs (model card: <c>models/smitin-synth-small/README.md</c>). It ships with the engine: the
/// build copies it next to the engine's assembly (<c>models/smitin-synth-small/</c>) and the NuGet package carries it
/// as content. Used wherever a model is needed and none was given.
/// </summary>
public static class DefaultModel
{
    /// <summary>Folder name of the default model.</summary>
    public const string Name = "smitin-synth-small";

    /// <summary>Environment variable that overrides where the default model is looked for.</summary>
    public const string EnvironmentVariable = "SMITIN_DEFAULT_MODEL";

    /// <summary>
    /// The folder of the default model: <c>$SMITIN_DEFAULT_MODEL</c> if set, else <c>models/smitin-synth-small</c>
    /// next to the application or to the engine assembly, else in the engine package's content files.
    /// </summary>
    /// <exception cref="SmitinException">the folder is not found in any of those places (the message lists them).</exception>
    public static string Folder
    {
        get
        {
            var candidates = Candidates().ToList();
            foreach (var c in candidates)
                if (File.Exists(Path.Combine(c, "config.json"))) return Path.GetFullPath(c);
            throw new SmitinException($"the default model {Name} was not found (looked in: {string.Join(", ", candidates)}); " +
                $"give a model folder or hub id, or set {EnvironmentVariable}");
        }
    }

    static IEnumerable<string> Candidates()
    {
        var env = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(env)) { yield return env; yield break; }
        yield return Path.Combine(AppContext.BaseDirectory, "models", Name);
        string? engineDir = Path.GetDirectoryName(typeof(DefaultModel).Assembly.Location);
        if (!string.IsNullOrEmpty(engineDir))
        {
            yield return Path.Combine(engineDir, "models", Name);
            yield return Path.GetFullPath(Path.Combine(engineDir, "..", "..", "contentFiles", "any", "any", "models", Name)); // NuGet package layout
        }
    }
}
