using System.Net;
using Fornax.Kv.Resp;
using Fornax.Node.Hosting;
using Microsoft.Extensions.Hosting;

namespace Fornax.Node.Kv;

/// <summary>
/// The site's RESP port: bound when the site starts (its real port then read through <see cref="Listeners.RespPort"/>),
/// drained when it stops (every connection answers what it received, then closes; those still open when the host's
/// shutdown time runs out are cut), cut when the site is disposed without a stop.
/// </summary>
internal sealed class RespPortService(IRespServer server, Listeners listeners, IPEndPoint endpoint) : IHostedService, IAsyncDisposable
{
    private RespListener? _listener;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _listener = server.Listen(endpoint);
        listeners.RespEndPoint = _listener.LocalEndPoint;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => _listener?.StopAsync(cancellationToken) ?? Task.CompletedTask;

    public ValueTask DisposeAsync() => _listener?.DisposeAsync() ?? ValueTask.CompletedTask;
}
