namespace Smitin.Interactive.Magics;

/// <summary>Turns the <c>--model</c> text of <c>#!smitin load</c> into a local model folder.</summary>
internal static class ModelSource
{
    internal static string Resolve(string model, MagicContext magic)
    {
        string expanded = model.StartsWith("~/", StringComparison.Ordinal)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), model[2..])
            : model;
        if (Directory.Exists(expanded)) return Path.GetFullPath(expanded);
        if (File.Exists(expanded))
            throw new MagicUsageException($"--model '{model}' is a file; expected the model folder that contains config.json and model.safetensors");
        if (LooksLikeHubId(model))
            throw new SmitinException($"--model '{model}': hub ids are not available yet in this build (the model store part of the engine has not landed); pass a local model folder");
        throw new MagicUsageException($"--model '{model}': no such folder, and not a hub id (owner/name)");
    }

    static bool LooksLikeHubId(string text)
    {
        var parts = text.Split('/');
        return parts.Length == 2 && parts.All(p => p.Length > 0 && p.All(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.'));
    }
}
