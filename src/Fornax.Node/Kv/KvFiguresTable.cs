using Fornax.Hierarchy.Links;
using Fornax.Hierarchy.Links.Protocol;

namespace Fornax.Node.Kv;

/// <summary>
/// The KV figures of every site at and under this one: this site's own (sampled by <see cref="KeyspaceFiguresReporter"/>)
/// and what each child reported of its subtree. Versioned so each link stream sends only the sites that changed.
/// </summary>
internal sealed class KvFiguresTable : IKvFiguresExchange
{
    /// <summary>A child reporting more sites than this in one message is not believed beyond it (a hostile or broken peer).</summary>
    private const int MaxSitesPerReport = 100_000;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, (KvSiteFigures Figures, long Version)> _sites = new(StringComparer.Ordinal);
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
        TaskCompletionSource? wake = null;
        lock (_gate)
        {
            if (_sites.TryGetValue(path, out var known) && known.Figures.Equals(figures))
            {
                return;
            }

            _sites[path] = (figures, ++_version);
            wake = _changed;
            _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        wake.TrySetResult();
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
            if (changed.Count == 0)
            {
                return null;
            }

            var message = new KvFigures();
            foreach (var (path, (figures, _)) in changed)
            {
                message.Sites[path] = figures;
            }

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
    }
}
