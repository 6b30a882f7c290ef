using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Smitin.Hub;

/// <summary>What the hub says about a revision: its commit and the files in it.</summary>
internal sealed record RevisionInfo(string Commit, IReadOnlyList<string> Files);

/// <summary>What the hub says about one file at a commit: ETag (content hash), size and where to fetch it.</summary>
internal sealed record FileMetadata(string Etag, long Size, Uri Location);

/// <summary>
/// The hub's HTTP endpoints, as <c>huggingface_hub</c> uses them:
/// <list type="bullet">
/// <item><c>GET {endpoint}/api/models/{repo}/revision/{revision}</c>: JSON with <c>sha</c> and <c>siblings[].rfilename</c>.</item>
/// <item><c>HEAD {endpoint}/{repo}/resolve/{commit}/{file}</c>: <c>X-Linked-Etag</c> (else <c>ETag</c>),
/// <c>X-Linked-Size</c> (else <c>Content-Length</c>); LFS files answer 302 to a CDN URL. Relative redirects
/// (renamed repositories) are followed, absolute ones give the download location.</item>
/// <item><c>GET {location}</c> with <c>Range: bytes=N-</c> to resume.</item>
/// </list>
/// Redirects are followed by hand so the token is only ever sent to the endpoint's host, never to a CDN.
/// Errors become <see cref="HubException"/>s that say what to do.
/// </summary>
internal sealed class HubClient(HubSettings settings)
{
    const int MaxRedirects = 5;

    static readonly HttpClient Http = new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
    })
    { Timeout = System.Threading.Timeout.InfiniteTimeSpan };

    static readonly string UserAgent = $"smitin/{typeof(HubClient).Assembly.GetName().Version?.ToString(3) ?? "0"}";

    public async Task<RevisionInfo> GetRevisionAsync(HubRepoId repo, string revision, CancellationToken ct)
    {
        var url = new Uri($"{settings.EndpointBase}/api/models/{repo}/revision/{Uri.EscapeDataString(revision)}");
        using var response = await SendAsync(HttpMethod.Get, url, rangeFrom: 0, relativeRedirectsOnly: false,
            $"asking {settings.Endpoint.Authority} for {repo}@{revision}", ct);
        if (!response.IsSuccessStatusCode) throw ErrorFor(response, repo, revision, file: null);

        string body = await ReadSmallBodyAsync(response, ct);
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            string? sha = root.TryGetProperty("sha", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
            if (sha is null || !HubCache.IsCommitHash(sha))
                throw new HubException(HubErrorKind.Protocol, $"{url} answered without a 40-digit commit hash in \"sha\" (got '{sha}'); is HF_ENDPOINT a Hugging Face hub?");
            if (!root.TryGetProperty("siblings", out var siblings) || siblings.ValueKind != JsonValueKind.Array)
                throw new HubException(HubErrorKind.Protocol, $"{url} answered without a \"siblings\" file list");
            var files = new List<string>();
            foreach (var sib in siblings.EnumerateArray())
                if (sib.TryGetProperty("rfilename", out var f) && f.GetString() is { Length: > 0 } name) files.Add(name);
            return new RevisionInfo(sha, files);
        }
        catch (JsonException e)
        {
            throw new HubException(HubErrorKind.Protocol, $"{url} answered with invalid JSON ({e.Message}); is HF_ENDPOINT a Hugging Face hub?", e);
        }
    }

    public async Task<FileMetadata> GetFileMetadataAsync(HubRepoId repo, string commit, string file, CancellationToken ct)
    {
        var url = ResolveUrl(repo, commit, file);
        using var response = await SendAsync(HttpMethod.Head, url, rangeFrom: 0, relativeRedirectsOnly: true,
            $"asking {settings.Endpoint.Authority} about {file}", ct);
        int status = (int)response.StatusCode;
        if (status is < 200 or >= 400) throw ErrorFor(response, repo, commit, file);

        string? etag = NormalizeEtag(Header(response, "X-Linked-Etag") ?? Header(response, "ETag"));
        if (etag is null)
            throw new HubException(HubErrorKind.Protocol, $"{url} sent no ETag, so {file} cannot be cached or verified");
        if (etag.Length == 0 || etag is "." or ".." || !etag.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            throw new HubException(HubErrorKind.Protocol, $"{url} sent ETag '{etag}', which is not a safe blob name");

        string? sizeText = Header(response, "X-Linked-Size") ?? response.Content.Headers.ContentLength?.ToString();
        if (!long.TryParse(sizeText, out long size) || size < 0)
            throw new HubException(HubErrorKind.Protocol, $"{url} sent no file size (X-Linked-Size / Content-Length) for {file}");

        Uri location = status is >= 300 and < 400 && response.Headers.Location is { } loc
            ? new Uri(response.RequestMessage!.RequestUri!, loc)
            : response.RequestMessage!.RequestUri!;
        return new FileMetadata(etag, size, location);
    }

    /// <summary>
    /// Starts the transfer of a file's bytes from <paramref name="location"/>, from byte <paramref name="offset"/> on
    /// (a Range request when &gt; 0). Returns the 200/206/416 response; other answers throw.
    /// </summary>
    public async Task<HttpResponseMessage> GetContentAsync(HubRepoId repo, string commit, string file, Uri location, long offset, CancellationToken ct)
    {
        var response = await SendAsync(HttpMethod.Get, location, offset, relativeRedirectsOnly: false, $"downloading {file}", ct);
        if (response.IsSuccessStatusCode || response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable) return response;
        using (response)
        {
            var host = response.RequestMessage!.RequestUri!;
            if (!SameAuthority(host, settings.Endpoint) && (int)response.StatusCode is 401 or 403 or 404 or 410)
                // A CDN refusing its signed link: it expired (or was cut short). A fresh one comes from the hub.
                throw new HubException(HubErrorKind.Network,
                    $"{host.Authority} refused the download link for {file} (HTTP {(int)response.StatusCode}); signed links expire, a new one is asked for on the next attempt");
            throw ErrorFor(response, repo, commit, file);
        }
    }

    /// <summary>The per-read stall timeout for transfers.</summary>
    public TimeSpan Timeout => settings.Timeout;

    Uri ResolveUrl(HubRepoId repo, string commit, string file) =>
        new($"{settings.EndpointBase}/{repo}/resolve/{Uri.EscapeDataString(commit)}/{string.Join('/', file.Split('/').Select(Uri.EscapeDataString))}");

    async Task<HttpResponseMessage> SendAsync(HttpMethod method, Uri url, long rangeFrom, bool relativeRedirectsOnly, string what, CancellationToken ct)
    {
        Uri current = url;
        for (int hop = 0; ; hop++)
        {
            var response = await SendOnceAsync(method, current, rangeFrom, what, ct);
            int status = (int)response.StatusCode;
            if (status is < 300 or >= 400 || response.Headers.Location is not { } loc) return response;
            if (relativeRedirectsOnly && loc.IsAbsoluteUri) return response;
            response.Dispose();
            if (hop == MaxRedirects)
                throw new HubException(HubErrorKind.Protocol, $"{what}: more than {MaxRedirects} redirects starting at {url}");
            current = new Uri(current, loc);
        }
    }

    async Task<HttpResponseMessage> SendOnceAsync(HttpMethod method, Uri url, long rangeFrom, string what, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, url);
        request.Headers.UserAgent.ParseAdd(UserAgent);
        request.Headers.AcceptEncoding.ParseAdd("identity");
        // The token goes to the hub only: a redirect to another host (a CDN with a signed URL) must not see it.
        if (settings.Token is not null && SameAuthority(url, settings.Endpoint))
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", settings.Token);
        if (rangeFrom > 0) request.Headers.Range = new RangeHeaderValue(rangeFrom, null);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(settings.Timeout);
        try
        {
            return await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        }
        catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw new HubException(HubErrorKind.Network, $"{what}: no answer from {url.Authority} within {settings.Timeout.TotalSeconds:0.#} s (HF_HUB_DOWNLOAD_TIMEOUT)", e);
        }
        catch (HttpRequestException e)
        {
            throw new HubException(HubErrorKind.Network, $"{what}: cannot reach {url.Authority} ({e.Message})", e);
        }
    }

    HubException ErrorFor(HttpResponseMessage response, HubRepoId repo, string revision, string? file)
    {
        int status = (int)response.StatusCode;
        string code = Header(response, "X-Error-Code") ?? "";
        string hubSays = Header(response, "X-Error-Message") is { } m ? $" The hub says: {m}" : "";
        string page = $"{settings.EndpointBase}/{repo}";
        string what = file is null ? $"{repo}@{revision}" : $"{file} of {repo}@{revision}";
        return status switch
        {
            401 when settings.Token is null => new HubException(HubErrorKind.Unauthorized,
                $"{repo} needs authentication (HTTP 401): it is private or gated, or it does not exist. Set HF_TOKEN to a read token " +
                $"from {settings.EndpointBase}/settings/tokens (or log in with `huggingface-cli login`; Smitin reads the same token file).{hubSays}"),
            401 => new HubException(HubErrorKind.Unauthorized,
                $"the hub rejected the token for {repo} (HTTP 401): HF_TOKEN is invalid or expired, or the repository does not exist " +
                $"and the token cannot see it. Check the token at {settings.EndpointBase}/settings/tokens.{hubSays}"),
            403 => new HubException(HubErrorKind.AccessDenied,
                $"access to {repo} is restricted (HTTP 403{(code.Length > 0 ? ", " + code : "")}): it is probably a gated model. Open {page}, " +
                $"accept its conditions with the account whose token is in HF_TOKEN{(settings.Token is null ? " (HF_TOKEN is not set)" : "")}, then retry.{hubSays}"),
            404 when code == "RepoNotFound" => new HubException(HubErrorKind.NotFound,
                $"repository {repo} was not found on {settings.Endpoint.Authority} (HTTP 404). Check the spelling (owner/name); a private repository also needs HF_TOKEN.{hubSays}"),
            404 when code == "RevisionNotFound" => new HubException(HubErrorKind.NotFound,
                $"revision '{revision}' does not exist in {repo} (HTTP 404): use a branch, tag or commit hash listed at {page}/tree/main.{hubSays}"),
            404 when file is not null => new HubException(HubErrorKind.NotFound,
                $"{what} was not found on {settings.Endpoint.Authority} (HTTP 404{(code.Length > 0 ? ", " + code : "")}).{hubSays}"),
            404 => new HubException(HubErrorKind.NotFound,
                $"{repo} or its revision '{revision}' was not found on {settings.Endpoint.Authority} (HTTP 404). Check the id and the revision.{hubSays}"),
            >= 500 => new HubException(HubErrorKind.Network,
                $"the hub failed while serving {what} (HTTP {status}); it may be down or overloaded, try again later.{hubSays}"),
            _ => new HubException(HubErrorKind.Protocol, $"unexpected HTTP {status} {response.ReasonPhrase} for {what}.{hubSays}"),
        };
    }

    static async Task<string> ReadSmallBodyAsync(HttpResponseMessage response, CancellationToken ct)
    {
        try { return await response.Content.ReadAsStringAsync(ct); }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            throw new HubException(HubErrorKind.Network, $"the connection to {response.RequestMessage?.RequestUri?.Authority} broke while reading its answer ({e.Message})", e);
        }
    }

    /// <summary>A header's raw first value (unvalidated, so an unusual ETag form still comes through).</summary>
    static string? Header(HttpResponseMessage r, string name) =>
        r.Headers.NonValidated.TryGetValues(name, out var v) || r.Content.Headers.NonValidated.TryGetValues(name, out v)
            ? v.FirstOrDefault()
            : null;

    /// <summary>Strips the weak-validator prefix and quotes: <c>W/"abc"</c> and <c>"abc"</c> both become <c>abc</c>.</summary>
    internal static string? NormalizeEtag(string? etag)
    {
        if (etag is null) return null;
        string e = etag.Trim();
        if (e.StartsWith("W/", StringComparison.Ordinal)) e = e[2..];
        return e.Trim('"');
    }

    static bool SameAuthority(Uri a, Uri b) =>
        string.Equals(a.Scheme, b.Scheme, StringComparison.OrdinalIgnoreCase) && string.Equals(a.Authority, b.Authority, StringComparison.OrdinalIgnoreCase);
}
