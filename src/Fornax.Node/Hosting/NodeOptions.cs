namespace Fornax.Node.Hosting;

/// <summary>
/// Everything one site process needs. Every field has a <c>fornax node run</c> flag and a key of the same
/// (camelCase) name in the site config file, so one site needs no file at all.
/// </summary>
public sealed record NodeOptions
{
    /// <summary>The site's folder: objects, blobs, KV data. Deleting it resets the site.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>The site's name, unique in its tree (each level keeps one Site object per name; see docs/tree.md).</summary>
    public string Name { get; init; } = "local";

    /// <summary><c>cloud</c>, <c>region</c> or <c>edge</c>; the root defaults to cloud.</summary>
    public string? Tier { get; init; }

    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>Address every listener binds to.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>0 picks a free port.</summary>
    public int ApiPort { get; init; }

    public int IngressPort { get; init; }

    /// <summary>The Redis-protocol port of the edge KV store; 0 picks a free port.</summary>
    public int RespPort { get; init; }

    /// <summary>
    /// Whether requests from loopback need no token (the operator on the machine, <c>fornax up</c>). Off, every client
    /// needs a user token, as one on another machine does.
    /// </summary>
    public bool TrustLoopback { get; init; } = true;

    /// <summary>Largest bulk string a RESP client may send (Redis' <c>proto-max-bulk-len</c>); a larger one closes the connection.</summary>
    public long RespMaxBulkBytes { get; init; } = 512L * 1024 * 1024;

    /// <summary>When a KV write is on disk before its reply: <c>always</c>, <c>everysec</c> (default) or <c>none</c>, as Redis' appendfsync (docs/kv.md).</summary>
    public string Durability { get; init; } = "everysec";

    /// <summary>Command missions run only where this is true (off by default).</summary>
    public bool AllowCommands { get; init; }

    /// <summary>Largest request body the API accepts; larger ones get 413.</summary>
    public long MaxRequestBodyBytes { get; init; } = 4 * 1024 * 1024;

    /// <summary>Largest blob (e.g. Wasm module) the API accepts.</summary>
    public long MaxBlobBytes { get; init; } = 64 * 1024 * 1024;

    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Concurrency slots: function invocations this site runs at full speed at once; beyond them invocations queue and,
    /// past the threshold, spill out to other sites (docs/functions.md, "Spill-out"). 0: one per core.
    /// </summary>
    public int Capacity { get; init; }

    /// <summary>Scheduler settings beyond the capacity and the clock (tests shrink the windows and the queue threshold).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    internal Func<Fornax.Scheduling.SchedulingOptions, Fornax.Scheduling.SchedulingOptions>? ConfigureScheduling { get; init; }

    /// <summary>Data-locality settings beyond the clock (tests shrink the promotion and drop thresholds).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    internal Func<Fornax.Scheduling.Locality.LocalityOptions, Fornax.Scheduling.Locality.LocalityOptions>? ConfigureLocality { get; init; }

    /// <summary>How long a <c>/svc/…</c> request waits for a backend's response headers, every try included (then 504).</summary>
    public TimeSpan PortalRequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a TCP tunnel (<c>fornax portal forward</c>) may carry no byte either way before its serving site closes it.</summary>
    public TimeSpan PortalTcpIdleTimeout { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>Heartbeats a parent may miss before it marks a child offline (<c>cluster offline</c>).</summary>
    public int MissedHeartbeats { get; init; } = 3;

    /// <summary>The parent's API URL to join (e.g. <c>http://127.0.0.1:7100</c>); null at the root.</summary>
    public string? Join { get; init; }

    /// <summary>The one-time join token from <c>fornax token create</c> at the parent; needed only until the site has its certificate.</summary>
    public string? JoinToken { get; init; }

    /// <summary>
    /// A file holding the join token (<c>joinTokenFile</c>, <c>--token-file</c>): unlike <see cref="JoinToken"/> on a
    /// command line, other local users cannot read it in <c>ps</c> (keep the file mode 0600). Read only when the site
    /// joins, so a joined site starts without it.
    /// </summary>
    public string? JoinTokenFile { get; init; }

    /// <summary>
    /// How often a site whose disk is full (its store read-only) checks for room to take writes again. Five seconds: a
    /// statvfs call while the disk stays full, an open of the database once it has room.
    /// </summary>
    internal TimeSpan StorageCheckInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Store settings beyond the data directory and the clock (tests shrink the watch history and buffer).</summary>
    internal Func<Fornax.Store.ObjectStoreOptions, Fornax.Store.ObjectStoreOptions>? ConfigureStore { get; init; }

    /// <summary>The link listener (HTTPS with required client certificates, HTTP/2, gRPC) children dial; 0 picks a free port.</summary>
    public int LinkPort { get; init; }

    /// <summary>Latency, bandwidth and loss of the emulated uplink (only with an <see cref="UplinkEmulator"/>).</summary>
    public Fornax.Core.Objects.LinkProfile? Uplink { get; init; }

    /// <summary>Puts a link emulator in front of the parent link (used by <c>fornax up</c> and the test harness).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IUplinkEmulatorFactory? UplinkEmulator { get; init; }

    /// <summary>Opens connections to peer portals (target site path, address) instead of dialing them: the test harness's network between sites.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public Func<string, System.Net.DnsEndPoint, CancellationToken, ValueTask<Stream>>? PortalConnect { get; init; }

    /// <summary>Where tokens are kept instead of <c>DATA/pki/tokens.json</c> (tests inject a store that fails as a full disk does).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    internal Fornax.Hierarchy.Identity.ITokenStore? TokenStore { get; init; }

    /// <summary>Randomness for reconnect jitter (injected by tests).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public Random Random { get; init; } = Random.Shared;

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>The least severe log level written to the console.</summary>
    public Microsoft.Extensions.Logging.LogLevel LogLevel { get; init; } = Microsoft.Extensions.Logging.LogLevel.Information;
}
