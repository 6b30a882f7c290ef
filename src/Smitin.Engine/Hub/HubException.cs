namespace Smitin.Hub;

/// <summary>What went wrong while resolving or downloading a hub model; lets callers react without parsing messages.</summary>
public enum HubErrorKind
{
    /// <summary>The repository, revision or file does not exist (HTTP 404).</summary>
    NotFound,
    /// <summary>The hub wants a valid token (HTTP 401): private or gated repository, or a rejected HF_TOKEN.</summary>
    Unauthorized,
    /// <summary>The token is valid but may not read the repository (HTTP 403), typically a gated model whose terms were not accepted.</summary>
    AccessDenied,
    /// <summary>Offline mode (HF_HUB_OFFLINE) is on and the cache does not hold what is needed.</summary>
    OfflineNotCached,
    /// <summary>The hub could not be reached or the connection broke; partial downloads are kept for resuming.</summary>
    Network,
    /// <summary>A downloaded file does not match the hash the hub announced; it was deleted.</summary>
    Integrity,
    /// <summary>The repository offers nothing Smitin can load (e.g. only pickle weights).</summary>
    Unsupported,
    /// <summary>Another process (Python or Smitin) has held a blob's download lock for too long.</summary>
    Locked,
    /// <summary>The server answered something the hub protocol does not allow (missing headers, bad JSON, unsafe names).</summary>
    Protocol,
}

/// <summary>A user-facing hub error. The message names the repository, revision or file and says what to do.</summary>
public sealed class HubException : SmitinException
{
    /// <summary>What went wrong, for callers that react differently (not found, unauthorised, network, ...).</summary>
    public HubErrorKind Kind { get; }

    /// <summary>A hub error of <paramref name="kind"/>; <paramref name="message"/> names the repository or
    /// file.</summary>
    public HubException(HubErrorKind kind, string message, Exception? inner = null)
        : base(message, inner!) => Kind = kind;
}
