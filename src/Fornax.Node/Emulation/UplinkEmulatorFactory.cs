using System.Net;
using Fornax.Core.Objects;
using Fornax.Emulation;
using Fornax.Node.Hosting;

namespace Fornax.Node.Emulation;

/// <summary>
/// Puts a <see cref="LinkEmulator"/> (the topology's latency, bandwidth and loss) in front of a site's uplink:
/// <c>fornax node run --emulate-uplink</c> (as <c>fornax up</c> starts sites) and the in-process trees use it.
/// </summary>
public sealed class UplinkEmulatorFactory(TimeProvider? timeProvider = null, Action<LinkEmulator>? started = null) : IUplinkEmulatorFactory
{
    public async Task<(string Address, IUplinkControl Control)> StartAsync(string parentLink, LinkProfile? profile, CancellationToken ct)
    {
        var target = new Uri(parentLink);
        var address = IPAddress.TryParse(target.Host, out var ip) ? ip : (await Dns.GetHostAddressesAsync(target.Host, ct))[0];
        var emulator = await LinkEmulator.StartAsync(new IPEndPoint(address, target.Port), LinkProfileOptions.From(profile), timeProvider ?? TimeProvider.System, ct);
        started?.Invoke(emulator);
        // The emulator listens on loopback; the parent's certificate is checked against the tree CA, not the host name.
        return ($"https://127.0.0.1:{emulator.Endpoint.Port}", new EmulatorControl(emulator));
    }
}
