using System.Collections.Concurrent;

namespace Fornax.Scheduling;

/// <summary>
/// The load of the other sites this site has heard of (children's subtrees from their heartbeats, the rest of the tree
/// from the parent), each with its age. Ages add up along the way (a figure relayed by the parent is as old as the
/// parent says plus the time since), so no two sites' clocks are compared. Also counts the invocations this site
/// forwarded to each site and not yet answered, which the reported figures do not show until the next heartbeat.
/// Thread-safe.
/// </summary>
public sealed class LoadBoard(SchedulingOptions options)
{
    private readonly ConcurrentDictionary<string, Entry> _sites = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, StrongBox> _outstanding = new(StringComparer.Ordinal);

    /// <summary>Takes <paramref name="sitePath"/>'s figures, <paramref name="age"/> old as they arrive.</summary>
    public void Put(string sitePath, SiteLoad load, TimeSpan age) =>
        _sites[sitePath] = new Entry(load, options.TimeProvider.GetTimestamp(), age);

    /// <summary>The site's figures and their age now; null when never heard.</summary>
    public (SiteLoad Load, TimeSpan Age)? Get(string sitePath) =>
        _sites.TryGetValue(sitePath, out var entry) ? (entry.Load, Age(entry)) : null;

    /// <summary>The site's figures while they are fresh (<see cref="SchedulingOptions.StaleAfter"/>); null otherwise.</summary>
    public SiteLoad? Fresh(string sitePath) => Get(sitePath) is { } known && known.Age <= options.StaleAfter ? known.Load : null;

    /// <summary>Every fresh figure with its age, by site path.</summary>
    public IEnumerable<(string SitePath, SiteLoad Load, TimeSpan Age)> FreshSites()
    {
        foreach (var (path, entry) in _sites)
        {
            var age = Age(entry);
            if (age <= options.StaleAfter)
            {
                yield return (path, entry.Load, age);
            }
        }
    }

    /// <summary>Forgets a site's figures (a site that left the tree).</summary>
    public void Remove(string sitePath) => _sites.TryRemove(sitePath, out _);

    /// <summary>Invocations forwarded to <paramref name="sitePath"/> and not answered yet.</summary>
    public int Outstanding(string sitePath) => _outstanding.TryGetValue(sitePath, out var box) ? Volatile.Read(ref box.Value) : 0;

    /// <summary>Counts one forwarded invocation until the returned handle is disposed (its answer came, or it failed).</summary>
    public IDisposable Forwarding(string sitePath)
    {
        var box = _outstanding.GetOrAdd(sitePath, _ => new StrongBox());
        Interlocked.Increment(ref box.Value);
        return new Release(box);
    }

    private TimeSpan Age(Entry entry) => entry.AgeAtReceipt + options.TimeProvider.GetElapsedTime(entry.ReceivedAt);

    private sealed record Entry(SiteLoad Load, long ReceivedAt, TimeSpan AgeAtReceipt);

    private sealed class StrongBox
    {
        public int Value;
    }

    private sealed class Release(StrongBox box) : IDisposable
    {
        private int _done;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0)
            {
                Interlocked.Decrement(ref box.Value);
            }
        }
    }
}
