using Fornax.Kv.Resp;
using Microsoft.AspNetCore.Connections;

namespace Fornax.Node.Kv;

/// <summary>Kestrel's side of the RESP port: each accepted connection is served by the site's <see cref="IRespServer"/>.</summary>
internal sealed class RespConnectionHandler(IRespServer server) : ConnectionHandler
{
    public override Task OnConnectedAsync(ConnectionContext connection) =>
        server.RunConnectionAsync(connection.Transport, connection.RemoteEndPoint, connection.LocalEndPoint, connection.ConnectionClosed);
}
