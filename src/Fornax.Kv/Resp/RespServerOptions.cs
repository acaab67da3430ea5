namespace Fornax.Kv.Resp;

/// <summary>Limits and identity of a site's RESP server. The limits are Redis 7's defaults unless said otherwise.</summary>
public sealed record RespServerOptions
{
    /// <summary>Largest bulk string a client may send, as Redis' <c>proto-max-bulk-len</c> (512 MiB there and here).</summary>
    public long MaxBulkBytes { get; init; } = 512L * 1024 * 1024;

    /// <summary>Most arguments in one command. Redis 7 allows up to 2^31; 1M is what Redis 6 allowed and what any client sends.</summary>
    public int MaxArguments { get; init; } = 1024 * 1024;

    /// <summary>
    /// Most pipelined data commands of one connection run under one hold of the store's lock (fornax's own limit): a
    /// burst takes the lock once, yet a client pipelining thousands of commands lets others in between every this many.
    /// </summary>
    public int MaxCommandsPerLockHold { get; init; } = 64;

    /// <summary>
    /// Replies gathered before they are sent (fornax's own limit): a connection stops running its pipelined commands
    /// once their replies reach this, sends them, and goes on. A client pipelining thousands of large reads without
    /// reading the replies makes its connection hold about this much (plus one reply), not every reply at once.
    /// </summary>
    public int MaxReplyBytesPerSend { get; init; } = 64 * 1024;

    /// <summary>The site's name, shown in INFO and HELLO.</summary>
    public string SiteName { get; init; } = "local";

    /// <summary>The Redis version clients are told (they gate features on it: HELLO, CLIENT SETINFO, GETEX...).</summary>
    public string RedisVersion { get; init; } = "7.0.15";

    /// <summary>The product version, shown in INFO server.</summary>
    public string FornaxVersion { get; init; } = typeof(RespServerOptions).Assembly.GetName().Version?.ToString() ?? "0.0.0";

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Randomness for SPOP, SRANDMEMBER, HRANDFIELD and RANDOMKEY (injected by tests).</summary>
    public Random Random { get; init; } = Random.Shared;
}
