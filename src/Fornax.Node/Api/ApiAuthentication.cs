using System.Net;
using Fornax.Hierarchy.Identity;
using Fornax.Node.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Fornax.Node.Api;

/// <summary>
/// The site API trusts loopback (the operator on the machine, `fornax up`) and asks everyone else for a bearer token
/// made with <c>fornax token create --user</c>; a token that is presented is checked wherever it comes from. Sites authenticate to each other with certificates on the link port,
/// never here. Open to all: <c>/healthz</c>, <c>/readyz</c> (probes) and <c>/api/join</c> (its join token is the
/// credential). The ingress port is for function traffic and is not guarded by this.
/// </summary>
internal static class ApiAuthentication
{
    private static readonly HashSet<string> OpenPaths = new(StringComparer.Ordinal) { "/healthz", "/readyz", "/api/join" };

    /// <summary>Paths open to every address without a token: probes, and the join whose token is in its body.</summary>
    public static bool IsOpenPath(PathString path) => OpenPaths.Contains(path.Value ?? "");

    /// <summary>
    /// The middleware, with its two singletons resolved once. Why not <c>http.RequestServices</c> per request: the first
    /// touch of it creates a DI scope (three objects) for every request, function traffic on the ingress included.
    /// </summary>
    public static Func<HttpContext, RequestDelegate, Task> For(IServiceProvider services)
    {
        var listeners = services.GetRequiredService<Listeners>();
        var tokens = services.GetRequiredService<JoinTokenIssuer>();
        var trustLoopback = services.GetService<NodeOptions>()?.TrustLoopback ?? true;
        return (http, next) => InvokeAsync(http, next, listeners, tokens, trustLoopback);
    }

    private static Task InvokeAsync(HttpContext http, RequestDelegate next, Listeners listeners, JoinTokenIssuer tokens, bool trustLoopback)
    {
        var header = http.Request.Headers.Authorization.ToString();
        var remote = http.Connection.RemoteIpAddress;
        // Credentials that are presented are always checked, from loopback too: a wrong token is an error to report.
        if (listeners.Classify(http.Connection.LocalPort) != Listeners.Api
            || (header.Length == 0 && trustLoopback && (remote is null || IPAddress.IsLoopback(remote)))
            || OpenPaths.Contains(http.Request.Path.Value ?? "")
            || IsDashboardAsset(http.Request.Path))
        {
            return next(http);
        }

        return AuthenticateAsync(http, next, header, remote, tokens, trustLoopback);
    }

    /// <summary>
    /// The dashboard's static files (<c>/ui</c>) hold no data: a browser on another machine must load the page to be
    /// asked for its token. Everything the page shows comes from the API, which stays guarded.
    /// </summary>
    private static bool IsDashboardAsset(PathString path) => path.StartsWithSegments("/ui", StringComparison.Ordinal);

    private static async Task AuthenticateAsync(HttpContext http, RequestDelegate next, string header, IPAddress? remote, JoinTokenIssuer tokens, bool trustLoopback)
    {
        const string Bearer = "Bearer ";
        if (!header.StartsWith(Bearer, StringComparison.OrdinalIgnoreCase))
        {
            await RefuseAsync(http, $"the site API needs a bearer token from {remote}{(trustLoopback ? " (not loopback)" : " (this site trusts no address, loopback included)")}; create one at the site with 'fornax token create --user' and put it in the client config");
            return;
        }

        var result = await tokens.AuthenticateUserAsync(header[Bearer.Length..].Trim(), http.RequestAborted);
        if (!result.IsOk)
        {
            await RefuseAsync(http, result.Message);
            return;
        }

        await next(http);
    }

    private static Task RefuseAsync(HttpContext http, string message)
    {
        http.Response.Headers.WWWAuthenticate = "Bearer realm=\"fornax\"";
        return ApiStatus.Failure(401, "Unauthorized", message).ExecuteAsync(http);
    }
}
