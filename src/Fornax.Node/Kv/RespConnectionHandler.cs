using Fornax.Kv.Resp;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;

namespace Fornax.Node.Kv;

/// <summary>Kestrel's side of the RESP port: each accepted connection is served by the site's <see cref="IRespServer"/>.</summary>
internal sealed class RespConnectionHandler(IRespServer server) : ConnectionHandler
{
    /// <summary>
    /// The connection is served until the client is gone or the site stops. Not until <see cref="BaseConnectionContext.ConnectionClosed"/>:
    /// Kestrel fires it as soon as the client ends its send side, and a client that sends its commands and then half-closes
    /// (<c>printf … | nc</c>) must still get every reply; a client really gone ends the reads and writes by itself.
    /// </summary>
    public override Task OnConnectedAsync(ConnectionContext connection) =>
        server.RunConnectionAsync(connection.Transport, connection.RemoteEndPoint, connection.LocalEndPoint,
            connection.Features.Get<IConnectionLifetimeNotificationFeature>()?.ConnectionClosedRequested ?? CancellationToken.None);
}
