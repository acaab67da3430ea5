using Fornax.Core.Objects;
using Fornax.Hierarchy.Links.Protocol;

namespace Fornax.Hierarchy.Links;
/// <summary>Heartbeats: this site's subtree, every heartbeat interval.</summary>
public sealed partial class Uplink
{
    private readonly LinkLatency _latency;

    /// <summary>The link's round trip to the parent, damped over heartbeats; null until one was answered.</summary>
    public TimeSpan? Latency => _latency.Current;

    private async Task HeartbeatLoopAsync(Func<Up, Task> send, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(_options.HeartbeatInterval, _options.TimeProvider);
        long seq = 0;
        do
        {
            var heartbeat = await BuildHeartbeatAsync(++seq, ct);
            _latency.Sent(seq);
            await send(new Up { Heartbeat = heartbeat });
            if (Loads is { } loads)
            {
                await send(new Up { Load = loads.ForParent() });
            }
        }
        while (await timer.WaitForNextTickAsync(ct));
    }

    internal async Task<Heartbeat> BuildHeartbeatAsync(long seq, CancellationToken ct)
    {
        var (received, active) = await _downlinks.OwnMissionCountsAsync(ct);
        var children = _downlinks.Children;
        var me = new SiteSummary
        {
            Name = _self.Name,
            Path = _self.Path,
            Parent = _self.Parent ?? "",
            Tier = _self.Tier,
            Healthy = true,
            LastHeartbeatUnixMs = _options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds(),
            MissionsReceived = received,
            MissionsActive = active,
            Endpoints = new Endpoints { Api = _self.Api ?? "", Ingress = _self.Ingress ?? "", Resp = _self.Resp ?? "" },
        };
        me.Children.Add(children.Select(c => c.Name).Order());
        me.Labels.Add(new Dictionary<string, string>(_self.Labels));
        var heartbeat = new Heartbeat { Sequence = seq, Healthy = true, MissionsReceived = received, MissionsActive = active };
        heartbeat.Subtree.Add(me);
        foreach (var child in children)
        {
            foreach (var site in child.Subtree)
            {
                var copy = site.Clone();
                // Unhealthy once its parent declared it offline; a child this site awaits since its start is shown as it
                // was last heard until then (it may link again any moment).
                if (child.IsOffline)
                {
                    copy.Healthy = false;
                    copy.Phase = Fornax.Core.Objects.SitePhases.Offline;
                }

                if (site.Path == child.Path)
                {
                    copy.LastHeartbeatUnixMs = child.LastHeartbeat.ToUnixTimeMilliseconds();
                }

                heartbeat.Subtree.Add(copy);
            }

            // Forgets below the child, relayed: every ancestor drops its Site objects of them.
            heartbeat.Forgotten.Add(child.Forgotten);
        }

        foreach (var forget in _downlinks.Forgotten.Standing.Where(f => MissionStatus.IsUnder(f.Path, _self.Path)))
        {
            heartbeat.Forgotten.Add(new ForgottenSite { Path = forget.Path, ForgottenAtUnixMs = forget.ForgottenAt.ToUnixTimeMilliseconds() });
        }

        return heartbeat;
    }
}
