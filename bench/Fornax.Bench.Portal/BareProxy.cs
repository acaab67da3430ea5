using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace Fornax.Bench.Portal;

/// <summary>
/// A proxy with nothing of a portal (<c>--floor</c>): a bare Kestrel that passes each GET on to the next address with a
/// bare <see cref="HttpMessageInvoker"/> (pooled HTTP/1.1, no TLS) and copies back the status and the body. Two of them in a
/// row are the cheapest two-hop path the same server and client can make: what any portal of this design costs at
/// least, with routing, policy, failover, deadlines, headers and the mutual TLS between sites left out.
/// </summary>
internal static class BareProxy
{
    public static async Task<WebApplication> StartAsync(Uri next)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http1));
        var app = builder.Build();
        var invoker = new HttpMessageInvoker(new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false, ActivityHeadersPropagator = null });
        app.Run(async http =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(next, http.Request.Path.Value + http.Request.QueryString.Value))
            {
                Version = HttpVersion.Version11,
                VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            };
            using var response = await invoker.SendAsync(request, http.RequestAborted);
            http.Response.StatusCode = (int)response.StatusCode;
            http.Response.ContentLength = response.Content.Headers.ContentLength;
            await response.Content.CopyToAsync(http.Response.Body, http.RequestAborted);
        });
        await app.StartAsync();
        return app;
    }
}
