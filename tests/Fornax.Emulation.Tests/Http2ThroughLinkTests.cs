using System.Net;
using System.Net.Http.Headers;
using Fornax.Emulation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Fornax.Emulation.Tests;

/// <summary>gRPC's shape without gRPC: HTTP/2 prior knowledge (h2c), application/grpc bodies and trailers, through a link.</summary>
#pragma warning disable CA1001 // xUnit disposes it through IAsyncLifetime.DisposeAsync
public sealed class Http2ThroughLinkTests : IAsyncLifetime
#pragma warning restore CA1001
{
    private WebApplication _app = null!;
    private LinkEmulator _link = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        _app = builder.Build();
        _app.MapPost("/fornax.Echo/Unary", async (HttpContext context) =>
        {
            context.Response.ContentType = "application/grpc";
            context.Response.DeclareTrailer("grpc-status");
            await context.Request.Body.CopyToAsync(context.Response.Body);
            context.Response.AppendTrailer("grpc-status", "0");
        });
        await _app.StartAsync();
        var address = new Uri(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
        _link = await LinkEmulator.StartAsync(new IPEndPoint(IPAddress.Loopback, address.Port), new LinkProfileOptions { Latency = TimeSpan.FromMilliseconds(10) }, TimeProvider.System);
    }

    public async Task DisposeAsync()
    {
        await _link.DisposeAsync();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task Http2PriorKnowledge_ConcurrentGrpcStyleCalls_MultiplexOverTheLink()
    {
        using var client = new HttpClient
        {
            BaseAddress = new Uri($"http://{_link.Endpoint}"),
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact, // h2c with prior knowledge, no upgrade
        };
        // Warm up one connection, so the calls below share it.
        await CallAsync(client, [0]);

        var payloads = Enumerable.Range(1, 20).Select(i => Enumerable.Range(0, i * 5000).Select(j => (byte)(i * j)).ToArray()).ToList();
        var responses = await Task.WhenAll(payloads.Select(p => CallAsync(client, p)));

        for (var i = 0; i < payloads.Count; i++)
        {
            Assert.Equal(payloads[i], responses[i]);
        }

        Assert.Equal(1, _link.ConnectionsAccepted);
        Assert.True(_link.BytesUp > payloads.Sum(p => p.Length));
    }

    [Fact]
    public async Task Http2_AfterCutAndHeal_TheClientReconnects()
    {
        using var client = new HttpClient
        {
            BaseAddress = new Uri($"http://{_link.Endpoint}"),
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        await CallAsync(client, [1]);

        _link.Cut();
        await Assert.ThrowsAsync<HttpRequestException>(() => CallAsync(client, [2]));
        _link.Heal();

        Assert.Equal(new byte[] { 3 }, await CallAsync(client, [3]));
    }

    private static async Task<byte[]> CallAsync(HttpClient client, byte[] payload)
    {
        using var content = new ByteArrayContent(payload);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        using var response = await client.PostAsync(new Uri("/fornax.Echo/Unary", UriKind.Relative), content);
        response.EnsureSuccessStatusCode();
        Assert.Equal(HttpVersion.Version20, response.Version);
        var body = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(["0"], response.TrailingHeaders.GetValues("grpc-status"));
        return body;
    }
}
