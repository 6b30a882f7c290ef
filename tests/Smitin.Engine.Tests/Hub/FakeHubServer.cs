using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Smitin.Tests.Hub;

/// <summary>A repository served by <see cref="FakeHubServer"/>.</summary>
sealed class FakeRepo
{
    public required string Id { get; init; }
    public string Commit { get; init; } = FakeHubServer.RandomCommit();
    public required Dictionary<string, byte[]> Files { get; init; }
    /// <summary>Extra revisions (branch or tag → commit); <c>main</c> always points to <see cref="Commit"/>.</summary>
    public Dictionary<string, string> Refs { get; } = new();
    /// <summary>When set, every request must carry <c>Authorization: Bearer {Token}</c> (else 401).</summary>
    public string? Token { get; init; }
    /// <summary>Gated and not accepted: 403 even with the right token.</summary>
    public bool Gated { get; init; }

    /// <summary>Files stored with git LFS on the real hub: served through a redirect, ETag = sha256.</summary>
    public static bool IsLfs(string file) =>
        file.EndsWith(".safetensors", StringComparison.Ordinal) || file.EndsWith(".model", StringComparison.Ordinal) || file.EndsWith(".bin", StringComparison.Ordinal);
}

/// <summary>One request as the server saw it.</summary>
sealed record SeenRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers);

/// <summary>
/// A minimal HTTP/1.1 server on 127.0.0.1 (random port, one request per connection) that mimics the hub endpoints
/// <c>ModelLocator</c> uses: <c>/api/models/{id}/revision/{rev}</c>, <c>/{id}/resolve/{rev}/{file}</c> (regular
/// files 200 with a git-sha1 ETag; LFS files 302 to <c>/cdn/{sha256}/{file}</c> with X-Linked-Etag/X-Linked-Size)
/// and the CDN itself, with Range support. Faults can be injected: cut a transfer after N bytes, flip one byte,
/// ignore Range.
/// </summary>
sealed class FakeHubServer : IAsyncDisposable
{
    readonly TcpListener _listener;
    readonly CancellationTokenSource _stop = new();
    readonly Task _acceptLoop;
    readonly ConcurrentDictionary<string, FakeRepo> _repos = new();
    readonly ConcurrentQueue<SeenRequest> _requests = new();
    int _cutsLeft;

    public FakeHubServer()
    {
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    public int Port { get; }
    public string Endpoint => $"http://127.0.0.1:{Port}";

    /// <summary>Host name put into CDN redirects; "localhost" makes the CDN a different authority than the endpoint.</summary>
    public string CdnHost { get; set; } = "127.0.0.1";

    /// <summary>The next <paramref name="times"/> CDN transfers of <paramref name="file"/> send only <paramref name="bytes"/> body bytes, then close the connection.</summary>
    public void CutTransfers(string file, int bytes, int times) { _cutFile = file; _cutAfterBytes = bytes; Volatile.Write(ref _cutsLeft, times); }
    string? _cutFile;
    int _cutAfterBytes;

    /// <summary>The next transfer of <paramref name="file"/> sends <paramref name="bytes"/> body bytes, then holds the connection open silently until the server is disposed.</summary>
    public Task PauseTransfer(string file, int bytes) { _pauseFile = file; _pauseAfterBytes = bytes; return _paused.Task; }
    string? _pauseFile;
    int _pauseAfterBytes;
    readonly TaskCompletionSource _paused = new(TaskCreationOptions.RunContinuationsAsynchronously);
    readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The next CDN transfer of this file is refused with 403, as a CDN refuses an expired signed link.</summary>
    public string? RefuseCdnOnce { get; set; }

    /// <summary>This file's content is served with one byte flipped (the announced hash stays the true one).</summary>
    public string? CorruptFile { get; set; }

    /// <summary>Answer Range requests with the whole file (200), as some servers do.</summary>
    public bool IgnoreRange { get; set; }

    public IReadOnlyList<SeenRequest> Requests => _requests.ToArray();

    public void Add(FakeRepo repo) => _repos[repo.Id] = repo;

    public static string RandomCommit() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));
    public static string Sha256(byte[] data) => Convert.ToHexStringLower(SHA256.HashData(data));
    public static string GitBlobSha1(byte[] data) =>
        Convert.ToHexStringLower(SHA1.HashData([.. Encoding.ASCII.GetBytes($"blob {data.Length}\0"), .. data]));

    /// <summary>The cache blob name the hub announces for a file: sha256 for LFS files, git blob sha1 otherwise.</summary>
    public static string EtagOf(string file, byte[] data) => FakeRepo.IsLfs(file) ? Sha256(data) : GitBlobSha1(data);

    async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (Exception) { return; }
            _ = Task.Run(() => HandleAsync(client));
        }
    }

    async Task HandleAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var (method, rawPath, headers) = await ReadRequestAsync(stream);
                _requests.Enqueue(new SeenRequest(method, rawPath, headers));
                await RouteAsync(stream, client, method, rawPath, headers);
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException) { }
        }
    }

    static async Task<(string, string, Dictionary<string, string>)> ReadRequestAsync(NetworkStream stream)
    {
        var head = new List<byte>();
        var one = new byte[1];
        while (head.Count < 65536)
        {
            if (await stream.ReadAsync(one) == 0) throw new IOException("client closed before the request ended");
            head.Add(one[0]);
            int n = head.Count;
            if (n >= 4 && head[n - 4] == '\r' && head[n - 3] == '\n' && head[n - 2] == '\r' && head[n - 1] == '\n') break;
        }
        string[] lines = Encoding.ASCII.GetString(head.ToArray()).Split("\r\n");
        string[] first = lines[0].Split(' ');
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (string line in lines.Skip(1).Where(l => l.Contains(':')))
            headers[line[..line.IndexOf(':')].Trim()] = line[(line.IndexOf(':') + 1)..].Trim();
        return (first[0], first[1], headers);
    }

    async Task RouteAsync(NetworkStream stream, TcpClient client, string method, string rawPath, Dictionary<string, string> headers)
    {
        string[] seg = rawPath.Split('?')[0].TrimStart('/').Split('/');
        if (seg.Length == 6 && seg[0] == "api" && seg[1] == "models" && seg[4] == "revision")
        {
            var repo = Authorize(seg[2] + "/" + seg[3], headers, out var denied);
            if (repo is null) { await WriteAsync(stream, denied!); return; }
            string? commit = CommitFor(repo, Uri.UnescapeDataString(seg[5]));
            if (commit is null) { await WriteAsync(stream, Error(404, "RevisionNotFound", $"Invalid rev id: {seg[5]}")); return; }
            var json = JsonSerializer.SerializeToUtf8Bytes(new
            {
                id = repo.Id, sha = commit,
                siblings = repo.Files.Keys.Select(f => new { rfilename = f }).ToArray(),
            });
            await WriteAsync(stream, new Reply(200, new() { ["Content-Type"] = "application/json" }, json), method == "HEAD");
            return;
        }
        if (seg.Length >= 5 && seg[2] == "resolve")
        {
            var repo = Authorize(seg[0] + "/" + seg[1], headers, out var denied);
            if (repo is null) { await WriteAsync(stream, denied!); return; }
            string? commit = CommitFor(repo, Uri.UnescapeDataString(seg[3]));
            if (commit is null) { await WriteAsync(stream, Error(404, "RevisionNotFound", "Invalid rev id")); return; }
            string file = string.Join('/', seg.Skip(4).Select(Uri.UnescapeDataString));
            if (!repo.Files.TryGetValue(file, out var data))
            {
                var missing = Error(404, "EntryNotFound", $"{file} does not exist on \"{seg[3]}\"");
                missing.Headers["X-Repo-Commit"] = commit;
                await WriteAsync(stream, missing, method == "HEAD");
                return;
            }
            if (FakeRepo.IsLfs(file))
            {
                string sha = Sha256(data);
                byte[] pointer = Encoding.ASCII.GetBytes($"version https://git-lfs.github.com/spec/v1\noid sha256:{sha}\nsize {data.Length}\n");
                var redirect = new Reply(302, new()
                {
                    ["Location"] = $"http://{CdnHost}:{Port}/cdn/{sha}/{Uri.EscapeDataString(file)}",
                    ["X-Repo-Commit"] = commit,
                    ["X-Linked-Etag"] = $"\"{sha}\"",
                    ["X-Linked-Size"] = data.Length.ToString(),
                    ["ETag"] = $"W/\"{GitBlobSha1(pointer)}\"",
                }, []);
                await WriteAsync(stream, redirect, method == "HEAD");
                return;
            }
            string etag = GitBlobSha1(data);
            if (file == CorruptFile) { data = (byte[])data.Clone(); data[data.Length / 2] ^= 0x01; }
            await WriteAsync(stream, new Reply(200, new() { ["ETag"] = $"\"{etag}\"", ["X-Repo-Commit"] = commit }, data), method == "HEAD");
            return;
        }
        if (seg.Length == 3 && seg[0] == "cdn")
        {
            string file = Uri.UnescapeDataString(seg[2]);
            var data = _repos.Values.SelectMany(r => r.Files).FirstOrDefault(f => Sha256(f.Value) == seg[1]).Value;
            if (data is null) { await WriteAsync(stream, Error(404, "", "no such object")); return; }
            if (method == "GET" && file == RefuseCdnOnce)
            {
                RefuseCdnOnce = null;
                await WriteAsync(stream, Error(403, "", "Request has expired"));
                return;
            }
            if (file == CorruptFile) { data = (byte[])data.Clone(); data[data.Length / 2] ^= 0x01; }
            await ServeContentAsync(stream, client, method, file, data, headers);
            return;
        }
        await WriteAsync(stream, Error(404, "", "unknown route"));
    }

    async Task ServeContentAsync(NetworkStream stream, TcpClient client, string method, string file, byte[] data, Dictionary<string, string> headers)
    {
        long start = 0;
        var reply = new Reply(200, new() { ["Accept-Ranges"] = "bytes" }, data);
        if (!IgnoreRange && headers.TryGetValue("Range", out string? range) && range.StartsWith("bytes=") && range.EndsWith('-'))
        {
            start = long.Parse(range["bytes=".Length..^1]);
            if (start >= data.Length)
            {
                await WriteAsync(stream, new Reply(416, new() { ["Content-Range"] = $"bytes */{data.Length}" }, []));
                return;
            }
            reply = new Reply(206, new() { ["Content-Range"] = $"bytes {start}-{data.Length - 1}/{data.Length}" }, data[(int)start..]);
        }
        int send = reply.Body.Length;
        bool cut = method == "GET" && file == _cutFile && Interlocked.Decrement(ref _cutsLeft) >= 0;
        if (cut) send = Math.Min(send, _cutAfterBytes);
        bool pause;
        lock (_release)
        {
            pause = method == "GET" && file == _pauseFile; // one-shot
            if (pause) _pauseFile = null;
        }
        if (pause) send = Math.Min(send, _pauseAfterBytes);
        await WriteAsync(stream, reply, headOnly: method == "HEAD", bodyBytes: send);
        if (cut) client.Client.Shutdown(SocketShutdown.Both); // the connection dies mid-body
        if (pause)
        {
            _paused.TrySetResult();
            await _release.Task; // the connection stays open, no more bytes come
        }
    }

    FakeRepo? Authorize(string id, Dictionary<string, string> headers, out Reply? denied)
    {
        denied = null;
        if (!_repos.TryGetValue(id, out var repo))
        {
            denied = Error(404, "RepoNotFound", "Repository not found");
            return null;
        }
        if (repo.Token is not null && (!headers.TryGetValue("Authorization", out var auth) || auth != $"Bearer {repo.Token}"))
        {
            denied = Error(401, "", "Invalid credentials in Authorization header");
            return null;
        }
        if (repo.Gated)
        {
            denied = Error(403, "GatedRepo", $"Access to model {id} is restricted and you are not in the authorized list.");
            return null;
        }
        return repo;
    }

    static string? CommitFor(FakeRepo repo, string revision) =>
        revision == "main" || revision == repo.Commit ? repo.Commit : repo.Refs.GetValueOrDefault(revision);

    sealed record Reply(int Status, Dictionary<string, string> Headers, byte[] Body);

    static Reply Error(int status, string code, string message)
    {
        var headers = new Dictionary<string, string> { ["X-Error-Message"] = message };
        if (code.Length > 0) headers["X-Error-Code"] = code;
        return new Reply(status, headers, Encoding.UTF8.GetBytes($"{{\"error\":\"{message}\"}}"));
    }

    static async Task WriteAsync(NetworkStream stream, Reply reply, bool headOnly = false, int bodyBytes = -1)
    {
        var head = new StringBuilder($"HTTP/1.1 {reply.Status} {Reason(reply.Status)}\r\n");
        foreach (var (k, v) in reply.Headers) head.Append($"{k}: {v}\r\n");
        head.Append($"Content-Length: {reply.Body.Length}\r\nConnection: close\r\n\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()));
        if (!headOnly) await stream.WriteAsync(reply.Body.AsMemory(0, bodyBytes < 0 ? reply.Body.Length : bodyBytes));
        await stream.FlushAsync();
    }

    static string Reason(int status) => status switch
    {
        200 => "OK",
        206 => "Partial Content",
        302 => "Found",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        416 => "Range Not Satisfiable",
        _ => "Status",
    };

    public async ValueTask DisposeAsync()
    {
        _release.TrySetResult();
        _stop.Cancel();
        _listener.Stop();
        try { await _acceptLoop; } catch (Exception) { }
        _stop.Dispose();
    }
}
