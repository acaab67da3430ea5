using System.Net;
using Fornax.Emulation;

namespace Fornax.Node.Trees;

/// <summary>
/// The emulated WAN between two sites' portals when one dials the other directly (a spilled invocation, a service
/// call). Without it a direct connection crossed loopback for free while the tree's links paid their latency, so going
/// to a sibling or straight to the root looked cheaper than any real network makes it: each direct path gets an emulator
/// whose profile is the tree path's (latencies added up, the narrowest bandwidth, the losses compounded), as traffic
/// between two real sites in those places crosses those networks. A path without latency, bandwidth or loss is dialled
/// as before.
/// </summary>
public sealed partial class TreeHost
{
    private readonly Dictionary<(string From, string To, int Port), Task<LinkEmulator>> _portalPaths = [];

    /// <summary>The sites whose uplink is cut now, and how: a direct path crossing one is cut the same way.</summary>
    private readonly Dictionary<string, LinkCutMode> _cutUplinks = [];

    /// <summary>The emulator of the direct path from <paramref name="from"/> to <paramref name="to"/>'s link port; null when the path costs nothing.</summary>
    private Task<LinkEmulator>? EmulatedPathAsync(string from, string to, DnsEndPoint endpoint, CancellationToken ct)
    {
        lock (_gate)
        {
            if (_portalPaths.TryGetValue((from, to, endpoint.Port), out var existing))
            {
                return existing;
            }

            if (!_sites.ContainsKey(from) || !_sites.ContainsKey(to) || PathProfile(from, to) is not { } profile)
            {
                return null;
            }

            // Started outside the caller's token: the path outlives this one connection (its pool reuses it).
            var started = StartPathAsync(endpoint, profile);
            _portalPaths[(from, to, endpoint.Port)] = started;
            return started.WaitAsync(ct);
        }
    }

    private async Task<LinkEmulator> StartPathAsync(DnsEndPoint endpoint, LinkProfileOptions profile)
    {
        var address = IPAddress.TryParse(endpoint.Host, out var ip) ? ip : (await Dns.GetHostAddressesAsync(endpoint.Host)).First();
        return await LinkEmulator.StartAsync(new IPEndPoint(address, endpoint.Port), profile, _options.TimeProvider);
    }

    /// <summary>A path started while an uplink it crosses was cut is cut as well.</summary>
    private void CutIfCrossingACut(string from, string to, LinkEmulator path)
    {
        lock (_gate)
        {
            if (path.CutMode is null && _cutUplinks.FirstOrDefault(cut => Crosses(from, to, cut.Key)) is { Key: not null } cut)
            {
                path.Cut(cut.Value);
            }
        }
    }

    /// <summary>
    /// The emulated direct paths whose tree path crosses <paramref name="child"/>'s uplink are cut too: a path's profile is
    /// the tree path's (it crosses those networks), so a cut of one of them cuts it. A path that costs nothing is not
    /// emulated and stays up; give the links a latency for a test that needs the cut.
    /// </summary>
    private void CutPortalPaths(string child, LinkCutMode mode)
    {
        foreach (var path in PortalPathsCrossing(child, cut: true, mode))
        {
            path.Cut(mode);
        }
    }

    private void HealPortalPaths(string child)
    {
        foreach (var path in PortalPathsCrossing(child, cut: false, default))
        {
            path.Heal();
        }
    }

    /// <summary>Records the uplink's cut (or its heal) and returns the started paths it changes.</summary>
    private List<LinkEmulator> PortalPathsCrossing(string child, bool cut, LinkCutMode mode)
    {
        lock (_gate)
        {
            if (cut)
            {
                _cutUplinks[child] = mode;
            }
            else
            {
                _cutUplinks.Remove(child);
            }

            return [.. _portalPaths
                .Where(p => p.Value.IsCompletedSuccessfully && Crosses(p.Key.From, p.Key.To, child)
                    && (cut || !_cutUplinks.Keys.Any(other => Crosses(p.Key.From, p.Key.To, other))))
                .Select(p => p.Value.Result)];
        }
    }

    /// <summary>Whether the tree path between two sites crosses <paramref name="child"/>'s uplink: one is at or under it, the other not (caller holds the gate).</summary>
    private bool Crosses(string from, string to, string child) => Ancestors(from).Contains(child) != Ancestors(to).Contains(child);

    /// <summary>The profile of the tree path between two sites (caller holds the gate); null when it costs nothing.</summary>
    private LinkProfileOptions? PathProfile(string from, string to)
    {
        var up = Ancestors(from);
        var down = Ancestors(to);
        var common = up.First(down.Contains);
        var links = up.TakeWhile(s => s != common).Concat(down.TakeWhile(s => s != common))
            .Select(s => LinkProfileOptions.From(_sites[s].Options.Uplink)).ToList();
        var latency = TimeSpan.FromTicks(links.Sum(l => l.Latency.Ticks));
        var bandwidths = links.Select(l => l.BandwidthBitsPerSecond).Where(b => b > 0).ToList();
        var delivered = links.Aggregate(1.0, (kept, l) => kept * (1 - l.Loss));
        if (latency == TimeSpan.Zero && bandwidths.Count == 0 && delivered == 1.0)
        {
            return null;
        }

        return new LinkProfileOptions { Latency = latency, BandwidthBitsPerSecond = bandwidths.Count == 0 ? 0 : bandwidths.Min(), Loss = 1 - delivered };
    }

    /// <summary>The site and its ancestors, nearest first.</summary>
    private List<string> Ancestors(string name)
    {
        var chain = new List<string>();
        for (string? at = name; at is not null; at = _sites[at].Parent)
        {
            chain.Add(at);
        }

        return chain;
    }

    private async ValueTask DisposePortalPathsAsync()
    {
        List<Task<LinkEmulator>> paths;
        lock (_gate)
        {
            paths = [.. _portalPaths.Values];
            _portalPaths.Clear();
        }

        foreach (var path in paths)
        {
            try
            {
                await (await path).DisposeAsync();
            }
            catch (Exception e) when (e is System.Net.Sockets.SocketException or OperationCanceledException)
            {
                // Never started: nothing to stop.
            }
        }
    }
}
