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
    private readonly ConcurrentDictionary<string, Forwards> _outstanding = new(StringComparer.Ordinal);

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
    public int Outstanding(string sitePath) => _outstanding.TryGetValue(sitePath, out var forwards) ? forwards.Count : 0;

    /// <summary>
    /// Invocations forwarded to <paramref name="sitePath"/>, not answered yet, and sent after its last figures were
    /// measured: what those figures do not show yet. One sent before is in the figures' in-flight count already, so
    /// adding it again would count it twice and make a site that serves this one's overflow look full at half its slots.
    /// All of them when its figures are unknown.
    /// </summary>
    public int Unreported(string sitePath)
    {
        if (!_outstanding.TryGetValue(sitePath, out var forwards))
        {
            return 0;
        }

        var measuredAt = _sites.TryGetValue(sitePath, out var entry)
            ? entry.ReceivedAt - (long)(entry.AgeAtReceipt.TotalSeconds * options.TimeProvider.TimestampFrequency)
            : long.MinValue;
        return forwards.SentAfter(measuredAt);
    }

    /// <summary>Counts one forwarded invocation until the returned handle is disposed (its answer came, or it failed).</summary>
    public IDisposable Forwarding(string sitePath) =>
        _outstanding.GetOrAdd(sitePath, _ => new Forwards()).Add(options.TimeProvider.GetTimestamp());

    private TimeSpan Age(Entry entry) => entry.AgeAtReceipt + options.TimeProvider.GetElapsedTime(entry.ReceivedAt);

    private sealed record Entry(SiteLoad Load, long ReceivedAt, TimeSpan AgeAtReceipt);

    /// <summary>The send times of the invocations forwarded to one site and not answered yet (a few tens at most: each holds a request open).</summary>
    private sealed class Forwards
    {
        private readonly List<long> _sentAt = [];

        public int Count
        {
            get
            {
                lock (_sentAt) return _sentAt.Count;
            }
        }

        public int SentAfter(long timestamp)
        {
            lock (_sentAt)
            {
                var count = 0;
                foreach (var sent in _sentAt)
                {
                    count += sent > timestamp ? 1 : 0;
                }

                return count;
            }
        }

        public IDisposable Add(long sentAt)
        {
            lock (_sentAt) _sentAt.Add(sentAt);
            return new Release(this, sentAt);
        }

        private void Remove(long sentAt)
        {
            lock (_sentAt) _sentAt.Remove(sentAt);
        }

        private sealed class Release(Forwards forwards, long sentAt) : IDisposable
        {
            private int _done;

            public void Dispose()
            {
                if (Interlocked.Exchange(ref _done, 1) == 0)
                {
                    forwards.Remove(sentAt);
                }
            }
        }
    }
}
