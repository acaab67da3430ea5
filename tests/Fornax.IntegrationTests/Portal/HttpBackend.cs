using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Fornax.IntegrationTests.Portal;

/// <summary>A real HTTP server (Kestrel) on 127.0.0.1 port 0 standing for a service's backend: it shows what reached it.</summary>
internal sealed class HttpBackend : IAsyncDisposable
{
    private readonly WebApplication _app;

    private HttpBackend(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }

    public static async Task<HttpBackend> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        // The caller's namespace and credential headers as the backend received them.
        app.MapGet("/whoami", (HttpRequest request) =>
            $"namespace={request.Headers["Fornax-Namespace"]} token={request.Headers["Fornax-Token"]} cookie={request.Headers.Cookie}");
        // A redirect that sets a cookie: both are for the caller.
        app.MapGet("/moved", (HttpResponse response) =>
        {
            response.Headers.SetCookie = "session=secret; Path=/";
            return Results.Redirect("/whoami");
        });
        await app.StartAsync();
        return new HttpBackend(app, new Uri(app.Urls.First()).Port);
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
