using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Fornax.Node.Hosting;

/// <summary>Which listener an endpoint belongs to; an endpoint hit on another port answers 404.</summary>
public sealed record ListenerMetadata(string Listener);

/// <summary>
/// The site's listeners. Ports may be 0 (any free port): Kestrel writes the bound port back into the
/// <see cref="ListenOptions"/>, so the real ports are read from there once the server has started.
/// </summary>
public sealed class Listeners
{
    public const string Api = "api";
    public const string Ingress = "ingress";
    public const string Link = "link";
    public const string Resp = "resp";

    internal ListenOptions? ApiListen { get; set; }

    internal ListenOptions? IngressListen { get; set; }

    internal ListenOptions? LinkListen { get; set; }

    /// <summary>The RESP port's address once it listens (its own socket, not a Kestrel listener: <see cref="Fornax.Kv.Resp.RespListener"/>).</summary>
    internal System.Net.IPEndPoint? RespEndPoint { get; set; }

    /// <summary>The RESP port, or 0 while the site serves no KV store.</summary>
    public int RespPort => RespEndPoint?.Port ?? 0;

    public int LinkPort => LinkListen?.IPEndPoint?.Port ?? 0;

    /// <summary>For middleware tests that run without Kestrel: the port to treat as the API listener's.</summary>
    internal int? ApiPortOverride { get; init; }

    public int ApiPort => ApiPortOverride ?? ApiListen?.IPEndPoint?.Port ?? 0;

    public int IngressPort => IngressListen?.IPEndPoint?.Port ?? 0;

    public string? Classify(int localPort) =>
        localPort == ApiPort ? Api : localPort == IngressPort ? Ingress : localPort == LinkPort ? Link : localPort == RespPort && RespPort != 0 ? Resp : null;

    /// <summary>Unmatches an endpoint reached through the wrong listener, so the request ends as 404.</summary>
    internal Task Filter(HttpContext context, RequestDelegate next)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<ListenerMetadata>() is { } wanted
            && Classify(context.Connection.LocalPort) != wanted.Listener)
        {
            context.SetEndpoint(null);
        }

        return next(context);
    }
}
