using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Fornax.Node.Hosting;

// Stopping, and restarting in place. A site restarts in this process when it switches to a new identity (an
// attachment moved it into another tree): everything that depends on who it is (path, certificates, parent, uplink)
// is built again from the data directory, on the same ports, with the same open store.
public sealed partial class SiteNode
{
    /// <summary>How long a failed in-place restart waits before trying again (the ports may still be closing).</summary>
    private static readonly TimeSpan ReloadRetryDelay = TimeSpan.FromMilliseconds(250);

    /// <summary>Attempts before a failed in-place restart is given up and reported through <see cref="WaitForShutdownAsync"/>.</summary>
    private const int ReloadAttempts = 20;

    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private bool _stopped;
    private Exception? _reloadFailure;
    private int _reloads;

    /// <summary>How many times this site restarted in place (each switch to a moved identity).</summary>
    public int Reloads => Volatile.Read(ref _reloads);

    /// <summary>Restarts the site in place on its identity as the data directory now holds it. Returns at once.</summary>
    public void RequestReload() => _ = Task.Run(ReloadAsync);

    /// <summary>Completes when the host is asked to stop (Ctrl-C, SIGTERM, or <see cref="StopAsync"/>), not when it restarts in place.</summary>
    /// <exception cref="InvalidOperationException">An in-place restart failed for good; the site is not running.</exception>
    public async Task WaitForShutdownAsync(CancellationToken ct = default)
    {
        while (true)
        {
            var app = _app;
            await app.WaitForShutdownAsync(ct);
            await _lifecycle.WaitAsync(ct);
            try
            {
                if (_reloadFailure is { } failure)
                {
                    throw new InvalidOperationException($"site {Options.Name} could not restart on its new identity: {failure.Message}", failure);
                }

                if (_stopped || ReferenceEquals(app, _app))
                {
                    return;
                }
            }
            finally
            {
                _lifecycle.Release();
            }
        }
    }

    public async Task StopAsync(CancellationToken ct = default)
    {
        await _lifecycle.WaitAsync(ct);
        try
        {
            _stopped = true;
            IsReady = false;
            await Links.DisposeAsync();
            await _app.StopAsync(ct);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _lifecycle.WaitAsync();
        try
        {
            _stopped = true;
            IsReady = false;
            // Instances handed to the container are not disposed by it; the store is ours to close, last.
            await Links.DisposeAsync();
            await _app.DisposeAsync();
            await _store.DisposeAsync();
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    private async Task ReloadAsync()
    {
        await _lifecycle.WaitAsync();
        try
        {
            if (_stopped)
            {
                return;
            }

            IsReady = false;
            // The same ports again: children, their emulators and operators find the site where it was.
            Options = Options with
            {
                ApiPort = new Uri(Endpoints.Api).Port,
                IngressPort = new Uri(Endpoints.Ingress).Port,
                LinkPort = new Uri(Links.Self.Link!).Port,
                RespPort = Endpoints.Resp is { } resp ? new Uri(resp).Port : Options.RespPort,
            };
            var old = _app;
            await Links.DisposeAsync();
            await old.StopAsync();
            await old.DisposeAsync();
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await StartAppAsync(CancellationToken.None);
                    break;
                }
                catch (Exception e) when (e is IOException or InvalidOperationException or InvalidDataException)
                {
                    // A port can be taken for a moment by an outgoing connection's ephemeral port; let go of what was bound and retry.
                    if (!ReferenceEquals(_app, old))
                    {
                        await _app.DisposeAsync();
                        _app = old;
                    }

                    if (attempt == ReloadAttempts)
                    {
                        _reloadFailure = e;
                        return;
                    }

                    await Task.Delay(ReloadRetryDelay, Options.TimeProvider);
                }
            }

            Interlocked.Increment(ref _reloads);
        }
        finally
        {
            _lifecycle.Release();
        }
    }
}
