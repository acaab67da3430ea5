using Fornax.Hierarchy.Links;
using Fornax.Hierarchy.Links.Protocol;

namespace Fornax.Node.Kv;

/// <summary>
/// The KV figures of every site at and under this one: this site's own (sampled by <see cref="KeyspaceFiguresReporter"/>)
/// and what each child reported of its subtree. Versioned so each link stream sends only the sites that changed. A site
/// forgotten here or below leaves it (<see cref="RemoveSubtree"/>) and the removal travels up like a change, so no
/// ancestor keeps showing the figures of a site that left the tree.
/// </summary>
internal sealed class KvFiguresTable : IKvFiguresExchange
{
    /// <summary>A child reporting more sites than this in one message is not believed beyond it (a hostile or broken peer).</summary>
    private const int MaxSitesPerReport = 100_000;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, (KvSiteFigures Figures, long Version)> _sites = new(StringComparer.Ordinal);

    /// <summary>Sites removed, with the version of their removal: sent to the parent like changes. Forgets are rare and
    /// each leaves one entry here until the site is seen again; a restart starts without them (the parent's own copy was
    /// removed when the stream of that time carried the removal).</summary>
    private readonly Dictionary<string, long> _removed = new(StringComparer.Ordinal);
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _version;

    public long Version
    {
        get
        {
            lock (_gate)
            {
                return _version;
            }
        }
    }

    /// <summary>Sets one site's figures; a change raises the version and wakes the streams.</summary>
    public void Set(string path, KvSiteFigures figures)
    {
        TaskCompletionSource wake;
        lock (_gate)
        {
            if (_sites.TryGetValue(path, out var known) && known.Figures.Equals(figures))
            {
                return;
            }

            _sites[path] = (figures, ++_version);
            _removed.Remove(path);
            wake = NextChange();
        }

        wake.TrySetResult();
    }

    /// <summary>Under the lock: the change the streams wait for, replaced by the next one (complete it after the lock).</summary>
    private TaskCompletionSource NextChange()
    {
        var current = _changed;
        _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        return current;
    }

    public KvSiteFigures? Get(string path)
    {
        lock (_gate)
        {
            return _sites.TryGetValue(path, out var entry) ? entry.Figures : null;
        }
    }

    /// <summary>Every site's figures, as known now.</summary>
    public List<(string Path, KvSiteFigures Figures)> Snapshot()
    {
        lock (_gate)
        {
            return [.. _sites.Select(s => (s.Key, s.Value.Figures))];
        }
    }

    public Task WaitForChangeAsync(long version, CancellationToken ct)
    {
        lock (_gate)
        {
            return _version > version ? Task.CompletedTask : _changed.Task.WaitAsync(ct);
        }
    }

    public KvFigures? ForParent(long since, out long upTo)
    {
        lock (_gate)
        {
            upTo = _version;
            var changed = _sites.Where(s => s.Value.Version > since).ToList();
            var removed = _removed.Where(r => r.Value > since).Select(r => r.Key).ToList();
            if (changed.Count == 0 && removed.Count == 0)
            {
                return null;
            }

            var message = new KvFigures();
            foreach (var (path, (figures, _)) in changed)
            {
                message.Sites[path] = figures;
            }

            message.Removed.AddRange(removed);
            return message;
        }
    }

    public void FromChild(string childPath, KvFigures figures)
    {
        foreach (var (path, site) in figures.Sites.Take(MaxSitesPerReport))
        {
            if (MissionStatus.IsUnder(path, childPath))
            {
                Set(path, site);
            }
        }

        foreach (var path in figures.Removed.Take(MaxSitesPerReport))
        {
            if (path != childPath && MissionStatus.IsUnder(path, childPath))
            {
                RemoveSubtree(path);
            }
        }
    }

    /// <summary>Drops the figures of the site at <paramref name="root"/> and of every site under it (a forgotten subtree).</summary>
    public void RemoveSubtree(string root)
    {
        TaskCompletionSource? wake = null;
        lock (_gate)
        {
            var gone = _sites.Keys.Where(p => MissionStatus.IsUnder(p, root)).ToList();
            foreach (var path in gone)
            {
                _sites.Remove(path);
                _removed[path] = ++_version;
            }

            if (gone.Count > 0)
            {
                wake = NextChange();
            }
        }

        wake?.TrySetResult();
    }
}
