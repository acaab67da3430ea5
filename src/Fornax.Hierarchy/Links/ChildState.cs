using Fornax.Hierarchy.Links.Protocol;

namespace Fornax.Hierarchy.Links;

/// <summary>What a parent knows about one child (kept across reconnects of the same child).</summary>
public sealed class ChildState(string name, string path)
{
    public string Name { get; } = name;

    public string Path { get; } = path;

    public string Incarnation { get; set; } = "";

    public long ReportSeq { get; set; }

    /// <summary>Linked: its heartbeats arrive (or were due only a little while ago).</summary>
    public bool Online { get; set; }

    /// <summary>
    /// Set while the child is known from this site's records at a start (<see cref="Downlinks.RestoreChildrenAsync"/>) and
    /// has not linked since: neither online nor declared offline yet. The pruner counts its missed heartbeats from here.
    /// </summary>
    public DateTimeOffset? AwaitedSince { get; set; }

    /// <summary>Declared offline by the pruner: its missions show <c>cluster offline</c>, its <c>Site</c> objects <c>Offline</c>.</summary>
    public bool IsOffline => !Online && AwaitedSince is null;

    /// <summary>
    /// The pruner's <c>Offline</c> mark is on every <c>Site</c> of its subtree. Until it is, each pruner pass writes it
    /// again (a pass whose store write failed must not leave the child shown <c>Ready</c> while it is offline).
    /// </summary>
    internal bool SitesShownOffline { get; set; }

    /// <summary>When it was last heard from (for a child restored at a start: as its <c>Site</c> object last showed it).</summary>
    public DateTimeOffset LastHeartbeat { get; set; }

    public IReadOnlyList<SiteSummary> Subtree { get; set; } = [];

    /// <summary>Sites forgotten in the child's subtree, as its last heartbeat listed them (relayed up in this site's own).</summary>
    public IReadOnlyList<Protocol.ForgottenSite> Forgotten { get; set; } = [];

    /// <summary>The last state map the child reported per mission (namespace, name).</summary>
    internal Dictionary<(string, string), Dictionary<string, string>> Reports { get; } = [];

    /// <summary>
    /// Cancelled when the child is forgotten: every link session it has open ends. Never disposed (it holds no timer or
    /// wait handle), so a session still reading its token during a shutdown never meets a disposed source.
    /// </summary>
    internal CancellationTokenSource Links { get; } = new();
}
