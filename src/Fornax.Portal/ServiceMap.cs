namespace Fornax.Portal;

/// <summary>
/// The map behind <see cref="IServiceMap"/>: one entry per announcing site, each stamped with the map version that last
/// changed its announcement and its health, and a stamp per removed site, so <see cref="ChangesSince"/> is a scan
/// of stamps rather than a diff of two maps. Removed sites keep the version they last announced: a replayed old
/// announcement does not bring them back; a newer one (the site joined again) does.
/// </summary>
internal sealed class ServiceMap(PortalOptions options) : IServiceMap
{
    private sealed record Entry(SiteAnnouncement Announcement, long AnnouncedAt, bool Healthy, long HealthAt);

    private sealed record Removal(long RemovedAt, long LastVersion);

    private readonly Lock _lock = new();
    private readonly Dictionary<string, Entry> _sites = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Removal> _removed = new(StringComparer.Ordinal);
    private long _version;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string SitePath => options.SitePath;

    public long Version
    {
        get
        {
            lock (_lock)
            {
                return _version;
            }
        }
    }

    public Task WaitForChangeAsync(long version, CancellationToken ct)
    {
        lock (_lock)
        {
            return _version > version ? Task.CompletedTask : _changed.Task.WaitAsync(ct);
        }
    }

    /// <summary>Raises the version and wakes whoever waits for a change; called under the lock.</summary>
    private long Bump()
    {
        var version = ++_version;
        var changed = _changed;
        _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        changed.SetResult();
        return version;
    }

    public bool Announce(SiteAnnouncement announcement)
    {
        lock (_lock)
        {
            if (_sites.TryGetValue(announcement.SitePath, out var known))
            {
                if (announcement.Version <= known.Announcement.Version)
                {
                    return false;
                }

                if (announcement.SameContentAs(known.Announcement))
                {
                    // A newer version with the same content: keep the version (so later stale copies stay refused)
                    // without stamping a change nobody needs to hear about.
                    _sites[announcement.SitePath] = known with { Announcement = announcement };
                    return false;
                }

                _sites[announcement.SitePath] = known with { Announcement = announcement, AnnouncedAt = Bump() };
                return true;
            }

            if (_removed.TryGetValue(announcement.SitePath, out var removal) && announcement.Version <= removal.LastVersion)
            {
                return false;
            }

            _removed.Remove(announcement.SitePath);
            var at = Bump();
            _sites[announcement.SitePath] = new Entry(announcement, at, Healthy: true, HealthAt: at);
            return true;
        }
    }

    public bool SetHealth(string sitePath, bool healthy)
    {
        lock (_lock)
        {
            if (!_sites.TryGetValue(sitePath, out var known) || known.Healthy == healthy)
            {
                return false;
            }

            _sites[sitePath] = known with { Healthy = healthy, HealthAt = Bump() };
            return true;
        }
    }

    public bool Remove(string sitePath)
    {
        lock (_lock)
        {
            var gone = _sites.Keys.Where(path => TreePaths.IsAtOrUnder(path, sitePath)).ToList();
            if (gone.Count == 0)
            {
                return false;
            }

            var at = Bump();
            foreach (var path in gone)
            {
                _removed[path] = new Removal(at, _sites[path].Announcement.Version);
                _sites.Remove(path);
            }

            return true;
        }
    }

    public bool Apply(ServiceMapDelta delta)
    {
        var changed = false;
        foreach (var announcement in delta.Announced)
        {
            changed |= Announce(announcement);
        }

        foreach (var (path, healthy) in delta.HealthChanged)
        {
            changed |= SetHealth(path, healthy);
        }

        foreach (var path in delta.Removed)
        {
            changed |= Remove(path);
        }

        return changed;
    }

    public ServiceMapDelta ChangesSince(long version)
    {
        lock (_lock)
        {
            var announced = _sites.Values.Where(e => e.AnnouncedAt > version).Select(e => e.Announcement)
                .OrderBy(a => a.SitePath, StringComparer.Ordinal).ToList();
            // Health travels when it changed after `version`, and for a site the receiver may not know yet when that
            // site is offline (a receiver takes a site it first hears of as online).
            var health = _sites.Where(kv => kv.Value.HealthAt > version || (kv.Value.AnnouncedAt > version && !kv.Value.Healthy))
                .ToDictionary(kv => kv.Key, kv => kv.Value.Healthy, StringComparer.Ordinal);

            var removed = _removed.Where(kv => kv.Value.RemovedAt > version).Select(kv => kv.Key).Order(StringComparer.Ordinal).ToList();
            return new ServiceMapDelta(version, _version, announced, health, removed);
        }
    }

    public IReadOnlyList<ServiceSite> SitesServing(ServiceKey service)
    {
        lock (_lock)
        {
            // A loop, not a LINQ chain: every request through a portal asks this.
            var serving = new List<ServiceSite>();
            foreach (var entry in _sites.Values)
            {
                if (entry.Announcement.Services.Contains(service))
                {
                    serving.Add(new ServiceSite(entry.Announcement.SitePath, entry.Announcement.PortalAddress, entry.Healthy));
                }
            }

            serving.Sort(static (x, y) => string.CompareOrdinal(x.SitePath, y.SitePath));
            return serving;
        }
    }

    public ServiceSite? Site(string sitePath)
    {
        lock (_lock)
        {
            return _sites.TryGetValue(sitePath, out var entry) ? new ServiceSite(sitePath, entry.Announcement.PortalAddress, entry.Healthy) : null;
        }
    }

    public TimeSpan? UplinkLatency(string sitePath)
    {
        lock (_lock)
        {
            return _sites.TryGetValue(sitePath, out var entry) ? entry.Announcement.UplinkLatency : null;
        }
    }

    public IReadOnlyList<ServiceKey> Services
    {
        get
        {
            lock (_lock)
            {
                return _sites.Values.SelectMany(e => e.Announcement.Services).Distinct()
                    .OrderBy(k => k.Namespace, StringComparer.Ordinal).ThenBy(k => k.Name, StringComparer.Ordinal).ToList();
            }
        }
    }
}
