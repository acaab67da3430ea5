using System.IO.Pipelines;
using System.Net;
using Fornax.Kv.Engine;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fornax.Kv.Resp;

/// <summary>Serves the Redis protocol: on its own listening socket (a site's RESP port), or on any duplex pipe.</summary>
public interface IRespServer
{
    /// <summary>Listens on <paramref name="endpoint"/> (port 0: any free port) and serves every connection accepted there.</summary>
    RespListener Listen(IPEndPoint endpoint);

    /// <summary>Serves one connection until the client quits or disconnects, or <paramref name="ct"/> is cancelled.</summary>
    Task RunConnectionAsync(IDuplexPipe transport, EndPoint? remote, EndPoint? local, CancellationToken ct);

    /// <summary>Connections being served now.</summary>
    int ConnectedClients { get; }

    /// <summary>Connections accepted since the server started (INFO stats' <c>total_connections_received</c>).</summary>
    long TotalConnections { get; }

    /// <summary>Commands run since the server started (INFO stats' <c>total_commands_processed</c>).</summary>
    long TotalCommands { get; }

    /// <summary>Per command called since the start or the last CONFIG RESETSTAT: INFO commandstats' figures.</summary>
    List<CommandFigures> CommandFigures();
}

/// <summary>Creates the RESP server of a site.</summary>
public static class RespServerFactory
{
    public static IRespServer Create(RespServerOptions options, IKvStore store, IRespAuthenticator authenticator, ILogger? logger = null) =>
        new RespServer(options, store, authenticator, logger ?? NullLogger.Instance);
}
