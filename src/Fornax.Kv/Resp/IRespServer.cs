using System.IO.Pipelines;
using System.Net;
using Fornax.Kv.Engine;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fornax.Kv.Resp;

/// <summary>Serves the Redis protocol on connections a host accepts (Kestrel's connection handler in a site).</summary>
public interface IRespServer
{
    /// <summary>Serves one connection until the client quits or disconnects, or <paramref name="ct"/> is cancelled.</summary>
    Task RunConnectionAsync(IDuplexPipe transport, EndPoint? remote, EndPoint? local, CancellationToken ct);

    /// <summary>Connections being served now.</summary>
    int ConnectedClients { get; }
}

/// <summary>Creates the RESP server of a site.</summary>
public static class RespServerFactory
{
    public static IRespServer Create(RespServerOptions options, IKvStore store, IRespAuthenticator authenticator, ILogger? logger = null) =>
        new RespServer(options, store, authenticator, logger ?? NullLogger.Instance);
}
