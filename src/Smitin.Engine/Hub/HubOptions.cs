namespace Smitin.Hub;

/// <summary>
/// How hub ids are resolved. Every property left <c>null</c> is read from the environment exactly as Python's
/// <c>huggingface_hub</c> reads it, so Smitin and Python tools share one cache and one token:
/// <list type="bullet">
/// <item><see cref="CacheDir"/>: <c>HF_HUB_CACHE</c>, else <c>HUGGINGFACE_HUB_CACHE</c>, else <c>HF_HOME/hub</c>,
/// else <c>$XDG_CACHE_HOME/huggingface/hub</c>, else <c>~/.cache/huggingface/hub</c>.</item>
/// <item><see cref="Endpoint"/>: <c>HF_ENDPOINT</c>, else <c>https://huggingface.co</c>.</item>
/// <item><see cref="Token"/>: <c>HF_TOKEN</c>, else <c>HUGGING_FACE_HUB_TOKEN</c>, else the file <c>HF_TOKEN_PATH</c>
/// (default <c>HF_HOME/token</c>, written by <c>huggingface-cli login</c>). An empty string sends no token.</item>
/// <item><see cref="Offline"/>: <c>HF_HUB_OFFLINE</c> (or <c>TRANSFORMERS_OFFLINE</c>) set to 1/ON/YES/TRUE.</item>
/// <item><see cref="Timeout"/>: <c>HF_HUB_DOWNLOAD_TIMEOUT</c> seconds, else 10 s.</item>
/// </list>
/// </summary>
public sealed record HubOptions
{
    /// <summary>The hub cache root (the folder holding <c>models--owner--name</c> folders).</summary>
    public string? CacheDir { get; init; }

    /// <summary>Base URL of the hub or of a mirror, e.g. <c>https://huggingface.co</c>.</summary>
    public string? Endpoint { get; init; }

    /// <summary>Access token sent as <c>Authorization: Bearer</c> to the endpoint (never to a CDN on another host).</summary>
    public string? Token { get; init; }

    /// <summary>Use the cache only; never contact the hub.</summary>
    public bool? Offline { get; init; }

    /// <summary>
    /// Ask the hub for the revision's current commit even when the cache already holds a complete snapshot
    /// for it (a branch such as <c>main</c> may have moved). Default false: a complete cached snapshot is used
    /// without any request.
    /// </summary>
    public bool Refresh { get; init; }

    /// <summary>How often a broken transfer is resumed (Range request) before giving up. Default 3.</summary>
    public int MaxRetries { get; init; } = 3;

    /// <summary>How long to wait for an answer or for the next bytes of a transfer before calling the connection lost.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Fills the unset values from <paramref name="env"/> (a variable lookup) and checks them.</summary>
    internal HubSettings Settle(Func<string, string?> env)
    {
        string home = ExpandHome(NonEmpty(env("HF_HOME"))
            ?? Path.Combine(NonEmpty(env("XDG_CACHE_HOME")) ?? Path.Combine(UserHome(), ".cache"), "huggingface"));

        string cacheDir = ExpandHome(CacheDir
            ?? NonEmpty(env("HF_HUB_CACHE")) ?? NonEmpty(env("HUGGINGFACE_HUB_CACHE")) ?? Path.Combine(home, "hub"));

        string endpointText = (Endpoint ?? NonEmpty(env("HF_ENDPOINT")) ?? "https://huggingface.co").TrimEnd('/');
        if (!Uri.TryCreate(endpointText, UriKind.Absolute, out var endpoint) || (endpoint.Scheme != "https" && endpoint.Scheme != "http"))
            throw new SmitinException($"hub endpoint '{endpointText}' (HF_ENDPOINT) is not an http(s) URL; expected e.g. https://huggingface.co");

        string? token = Token ?? NonEmpty(env("HF_TOKEN")) ?? NonEmpty(env("HUGGING_FACE_HUB_TOKEN"))
            ?? ReadTokenFile(ExpandHome(NonEmpty(env("HF_TOKEN_PATH")) ?? Path.Combine(home, "token")));
        token = string.IsNullOrWhiteSpace(token) ? null : token.Trim();

        bool offline = Offline ?? (IsTrue(env("HF_HUB_OFFLINE")) || IsTrue(env("TRANSFORMERS_OFFLINE")));

        TimeSpan timeout = Timeout ?? TimeoutFromEnv(env("HF_HUB_DOWNLOAD_TIMEOUT"));
        if (timeout <= TimeSpan.Zero)
            throw new SmitinException($"hub timeout must be positive, got {timeout.TotalSeconds} s");
        if (MaxRetries < 0)
            throw new SmitinException($"HubOptions.MaxRetries must be >= 0, got {MaxRetries}");

        return new HubSettings(Path.GetFullPath(cacheDir), endpoint, token, offline, Refresh, MaxRetries, timeout);
    }

    static TimeSpan TimeoutFromEnv(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return TimeSpan.FromSeconds(10);
        if (double.TryParse(value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double s) && s > 0)
            return TimeSpan.FromSeconds(s);
        throw new SmitinException($"HF_HUB_DOWNLOAD_TIMEOUT='{value}' is not a positive number of seconds");
    }

    static bool IsTrue(string? value) =>
        value is not null && value.Trim().ToUpperInvariant() is "1" or "ON" or "YES" or "TRUE";

    static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    static string? ReadTokenFile(string path)
    {
        try { return File.Exists(path) ? File.ReadAllText(path).Trim() : null; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    static string UserHome() => Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);

    internal static string ExpandHome(string path) =>
        path == "~" ? UserHome()
        : path.StartsWith("~/", StringComparison.Ordinal) || path.StartsWith("~\\", StringComparison.Ordinal) ? Path.Combine(UserHome(), path[2..])
        : path;
}

/// <summary>Resolved, validated hub settings (no unset values left).</summary>
internal sealed record HubSettings(
    string CacheDir, Uri Endpoint, string? Token, bool Offline, bool Refresh, int MaxRetries, TimeSpan Timeout)
{
    /// <summary>The endpoint without a trailing slash, for building URLs (a mirror may carry a path prefix).</summary>
    public string EndpointBase => Endpoint.AbsoluteUri.TrimEnd('/');
}
