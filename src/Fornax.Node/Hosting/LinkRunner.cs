using Fornax.Hierarchy.Links;

namespace Fornax.Node.Hosting;

/// <summary>
/// Runs the site's link engines once the listeners are bound: the mission index and the pruner (every site can be
/// a parent) and, at a joined site, the uplink. An optional uplink emulator (the <c>Uplink</c> link profile, started
/// through <see cref="NodeOptions.UplinkEmulator"/>) sits in front of the parent link.
/// </summary>
public sealed class LinkRunner(LinkSiteInfo self, MissionIndex index, Downlinks downlinks, Uplink? uplink) : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _running = [];

    public LinkSiteInfo Self => self;

    public MissionIndex Index => index;

    public Downlinks Downlinks => downlinks;

    public Uplink? Uplink => uplink;

    /// <summary>Cuts/heals the emulated uplink; set by whoever put an emulator in front of it.</summary>
    public IUplinkControl? UplinkControl { get; set; }

    public bool CutUplink()
    {
        UplinkControl?.Cut();
        return UplinkControl is not null;
    }

    public bool HealUplink()
    {
        UplinkControl?.Heal();
        return UplinkControl is not null;
    }

    public void Start()
    {
        _running.Add(Task.Run(() => index.RunAsync(_stop.Token)));
        _running.Add(Task.Run(() => downlinks.RunPrunerAsync(_stop.Token)));
        if (uplink is not null)
        {
            _running.Add(Task.Run(() => uplink.RunAsync(_stop.Token)));
        }
    }

    private int _disposed;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stop.CancelAsync();
        try
        {
            await Task.WhenAll(_running);
        }
        catch (OperationCanceledException)
        {
        }

        if (UplinkControl is IAsyncDisposable control)
        {
            await control.DisposeAsync();
        }

        downlinks.Dispose();
        _stop.Dispose();
    }
}

/// <summary>Something in front of the uplink that can cut and heal it (the link emulator).</summary>
public interface IUplinkControl
{
    void Cut();

    void Heal();
}

/// <summary>Starts an emulated link from this site to its parent's link address.</summary>
public interface IUplinkEmulatorFactory
{
    /// <returns>The address to dial instead of <paramref name="parentLink"/>, and the control that cuts and heals it.</returns>
    Task<(string Address, IUplinkControl Control)> StartAsync(string parentLink, Fornax.Core.Objects.LinkProfile? profile, CancellationToken ct);
}
