using Fornax.Core.Objects;
using Fornax.Hierarchy.Links.Protocol;
using Fornax.Store;
using Microsoft.Extensions.Logging;

namespace Fornax.Hierarchy.Links;

/// <summary>
/// The parent's side of its links, free of hosting: children, their reports and heartbeats, and the pruner that
/// notices heartbeats that did <em>not</em> arrive and marks the child <c>cluster offline</c>.
/// </summary>
/// <param name="store">This site's store: mission state maps and <c>Site</c> objects are written there.</param>
/// <param name="self">This site.</param>
/// <param name="options">Heartbeat settings and time.</param>
/// <param name="logger">Receives link events.</param>
/// <param name="forgotten">The children forgotten here (<c>DATA/links/forgotten.json</c>); null keeps them in memory only.</param>
/// <param name="known">The children admitted here (<c>DATA/links/children.json</c>); null keeps them in memory only.</param>
/// <param name="index">This site's spec-change index: while it has seen no mission change, this site's mission counts are
/// not counted again (<see cref="OwnMissionCountsAsync"/>); null counts them every time.</param>
public sealed partial class Downlinks(IObjectStore store, LinkSiteInfo self, LinkOptions options, ILogger logger, ForgottenChildren? forgotten = null, KnownChildren? known = null, MissionIndex? index = null) : IDisposable
{
    public void Dispose()
    {
        _writes.Dispose();
        _siteWrites.Dispose();
    }

    private readonly Lock _gate = new();
    private readonly Dictionary<string, ChildState> _children = [];
    private readonly SemaphoreSlim _writes = new(1, 1);

    public LinkSiteInfo Self => self;

    /// <summary>Raised with the child's path when the pruner declares it offline (its heartbeats stopped).</summary>
    public event Action<string>? ChildWentOffline;

    /// <summary>
    /// Raised when a child declared offline is heard again on the same stream (its heartbeats were only late), with the
    /// health its heartbeat gives each site of its subtree. A child that dialed again says so itself on the new stream.
    /// </summary>
    public event Action<string, IReadOnlyDictionary<string, bool>>? ChildBackOnline;

    /// <summary>Raised with the child's path once an operator forgot it here (<see cref="ForgetAsync"/>): it and its subtree are gone.</summary>
    public event Action<string>? ChildForgotten;

    public IReadOnlyList<ChildState> Children
    {
        get
        {
            lock (_gate)
            {
                return [.. _children.Values];
            }
        }
    }

    /// <summary>A child said Hello (tests that drive the engine by hand: no certificate to check against forgotten children).</summary>
    public Task<ChildConnection> ConnectAsync(Hello hello, CancellationToken ct) => ConnectAsync(hello, null, ct);

    /// <summary>
    /// A child said Hello with a certificate of this fingerprint: admits it, or throws <see cref="ChildForgottenException"/>
    /// when it was forgotten here. Checked under the same lock a forget records under, so a child is never let in
    /// after its forget was recorded.
    /// </summary>
    public async Task<ChildConnection> ConnectAsync(Hello hello, string? certificateFingerprint, CancellationToken ct)
    {
        ChildState child;
        bool sameIncarnation;
        lock (_gate)
        {
            if (certificateFingerprint is not null && _forgotten.WhyRefused(hello.Path, certificateFingerprint) is { } refusal)
            {
                throw new ChildForgottenException(refusal);
            }

            if (!_children.TryGetValue(hello.Path, out child!))
            {
                child = new ChildState(hello.Name, hello.Path);
                _children[hello.Path] = child;
            }

            sameIncarnation = child.Incarnation == hello.Incarnation;
            if (!sameIncarnation)
            {
                child.Incarnation = hello.Incarnation;
                child.ReportSeq = 0;
                child.Reports.Clear();
            }

            child.Online = true;
            child.SitesShownOffline = false;
            child.AwaitedSince = null;
            child.LastHeartbeat = options.TimeProvider.GetUtcNow();
        }

        // Flushes a file the first time only (or when its tier changed): once in a child's life, and outside the lock
        // heartbeats take. A forget racing with this may leave the child recorded; no start restores a standing forget.
        _known.Record(hello.Name, hello.Path, hello.Tier, options.TimeProvider.GetUtcNow());
        LogChildConnected(hello.Path, hello.ResumeFromParentRv);
        if (sameIncarnation)
        {
            await RestoreReportsAsync(child, ct);
        }

        return new ChildConnection(sameIncarnation ? child.ReportSeq : 0, child.Links.Token);
    }

    [LoggerMessage(EventId = 300, Level = LogLevel.Information, Message = "Child {Path} connected (resuming from parent version {Rv})")]
    private partial void LogChildConnected(string path, long rv);

    private readonly ILogger _logger = logger;
}
