namespace Smitin.Hub;

/// <summary>
/// A Hugging Face model repository id, <c>owner/name</c> (e.g. <c>facebook/musicgen-small</c>), validated with the
/// hub's own rules: each part of letters, digits, <c>_ . -</c>, starting and ending with a letter, digit or
/// underscore, no <c>--</c> or <c>..</c>, at most 96 characters in all.
/// </summary>
public readonly record struct HubRepoId
{
    /// <summary>The owner (user or organisation), e.g. <c>facebook</c>.</summary>
    public string Owner { get; }
    /// <summary>The repository name, e.g. <c>musicgen-small</c>.</summary>
    public string Name { get; }

    HubRepoId(string owner, string name) { Owner = owner; Name = name; }

    /// <summary><c>owner/name</c>.</summary>
    public override string ToString() => $"{Owner}/{Name}";

    /// <summary>The repository's folder in the hub cache, e.g. <c>models--facebook--musicgen-small</c>.</summary>
    public string CacheFolderName => $"models--{Owner}--{Name}";

    /// <summary>
    /// Parses <c>owner/name</c> or <c>owner/name@revision</c> (the revision may contain slashes, e.g.
    /// <c>@refs/pr/3</c>). Returns false with a reason when the text is not a valid id.
    /// </summary>
    public static bool TryParse(string text, out HubRepoId id, out string? revision, out string error)
    {
        id = default;
        revision = null;
        error = "";
        int at = text.IndexOf('@');
        string idPart = at >= 0 ? text[..at] : text;
        if (at >= 0)
        {
            revision = text[(at + 1)..];
            if (revision.Length == 0) { error = "nothing follows '@' (expected a branch, tag or commit)"; return false; }
        }
        string[] parts = idPart.Split('/');
        if (parts.Length != 2) { error = "a hub id has exactly one '/' (owner/name)"; return false; }
        if (idPart.Length > 96) { error = "a hub id has at most 96 characters"; return false; }
        if (idPart.Contains("--") || idPart.Contains("..")) { error = "'--' and '..' are not allowed in hub ids"; return false; }
        foreach (string part in parts)
        {
            if (!ValidPart(part))
            {
                error = $"'{part}' is not a valid id part (letters, digits, '_', '.', '-'; starting and ending with a letter, digit or '_')";
                return false;
            }
        }
        id = new HubRepoId(parts[0], parts[1]);
        return true;
    }

    /// <summary>Parses like <see cref="TryParse"/>; throws <see cref="ArgumentException"/> naming the problem.</summary>
    public static HubRepoId Parse(string text)
    {
        if (!TryParse(text, out var id, out var rev, out var error))
            throw new ArgumentException($"'{text}' is not a hub id: {error}.", nameof(text));
        if (rev is not null)
            throw new ArgumentException($"'{text}' carries a revision; pass the bare id owner/name.", nameof(text));
        return id;
    }

    static bool ValidPart(string part)
    {
        if (part.Length == 0) return false;
        if (!IsWordChar(part[0]) || !IsWordChar(part[^1])) return false;
        foreach (char c in part)
            if (!IsWordChar(c) && c != '.' && c != '-') return false;
        return true;
    }

    static bool IsWordChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';
}
