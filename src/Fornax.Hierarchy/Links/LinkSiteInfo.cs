namespace Fornax.Hierarchy.Links;

/// <summary>Who this site is, as the link engines need it (the node builds it from its identity and options).</summary>
public sealed class LinkSiteInfo(string name, string path, string tier, IReadOnlyDictionary<string, string> labels)
{
    public string Name { get; } = name;

    public string Path { get; } = path;

    public string Tier { get; } = tier;

    public IReadOnlyDictionary<string, string> Labels { get; } = labels;

    /// <summary>Set once the listeners are bound.</summary>
    public string? Api { get; set; }

    public string? Ingress { get; set; }

    public string? Resp { get; set; }

    public string? Link { get; set; }

    public string? Parent => Path.Contains('/') ? Path.Split('/')[^2] : null;

    public string? ParentPath => Path.Contains('/') ? Path[..Path.LastIndexOf('/')] : null;
}

/// <summary>Settings shared by both ends of a link.</summary>
public sealed record LinkOptions
{
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Heartbeats a parent may miss before it marks the child offline.</summary>
    public int MissedHeartbeats { get; init; } = 3;

    /// <summary>
    /// A <c>Site</c> object whose only change is its heartbeat time is rewritten every this many heartbeats (the
    /// API serves the newest time from memory meanwhile). 12 = once a minute at the default interval: a store write
    /// per site per ancestor per heartbeat was most of an idle tree's CPU.
    /// </summary>
    public int SiteRefreshHeartbeats { get; init; } = 12;

    /// <summary>First reconnect delay; doubles up to <see cref="MaxBackoff"/> (equal jitter).</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Longest reconnect delay; null = one heartbeat, at most <see cref="DefaultMaxBackoff"/>, so a link healed after a
    /// cut of any length is back within a second (and the keys written meanwhile converge within two).
    /// </summary>
    public TimeSpan? MaxBackoff { get; init; }

    /// <summary>
    /// A child cut off for long dials its parent about once a second: a refused dial costs a SYN and a reset, and a parent
    /// coming back meets its children's handshakes spread over half a second to a second (equal jitter).
    /// </summary>
    public static readonly TimeSpan DefaultMaxBackoff = TimeSpan.FromSeconds(1);

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Randomness for the backoff jitter (injected for tests).</summary>
    public Random Random { get; init; } = Random.Shared;

    internal TimeSpan EffectiveMaxBackoff => MaxBackoff ?? (HeartbeatInterval < DefaultMaxBackoff ? HeartbeatInterval : DefaultMaxBackoff);
}

/// <summary>Signs a joining site's certificate: with the CA at the root, by forwarding up the uplink elsewhere.</summary>
public interface ISiteCertificateSigner
{
    /// <param name="csrPem">The joining site's PKCS#10 request.</param>
    /// <param name="name">The joining site's name.</param>
    /// <param name="path">The path the certificate is for.</param>
    /// <param name="subtree">When a subtree is attached: the new paths of every site below <paramref name="path"/>, so the root can refuse names used elsewhere.</param>
    /// <param name="ct">Cancels the request.</param>
    Task<Identity.SignedSiteCertificate> SignAsync(string csrPem, string name, string path, IReadOnlyList<string> subtree, CancellationToken ct);
}

/// <summary>Exponential backoff with equal jitter (half fixed, half random), capped.</summary>
public sealed class Backoff(TimeSpan initial, TimeSpan max, Random random)
{
    private int _attempt;

    public TimeSpan Next()
    {
        var ceiling = Math.Min(max.TotalMilliseconds, initial.TotalMilliseconds * Math.Pow(2, Math.Min(_attempt, 30)));
        _attempt++;
        return TimeSpan.FromMilliseconds(ceiling / 2 + random.NextDouble() * ceiling / 2);
    }

    public void Reset() => _attempt = 0;
}
