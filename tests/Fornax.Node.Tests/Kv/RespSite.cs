using System.Net;
using Fornax.Node.Hosting;
using StackExchange.Redis;

namespace Fornax.Node.Tests.Kv;

/// <summary>A real site on loopback port 0 and its RESP endpoint, for real Redis clients.</summary>
internal sealed class RespSite : IAsyncDisposable
{
    public RespSite(TestSite site)
    {
        Site = site;
        var url = new Uri(site.Node.Endpoints.Resp ?? throw new InvalidOperationException("the site serves no RESP port"));
        Port = url.Port;
        EndPoint = new IPEndPoint(IPAddress.Loopback, url.Port);
    }

    public TestSite Site { get; }

    public int Port { get; }

    public IPEndPoint EndPoint { get; }

    public static async Task<RespSite> StartAsync(Func<NodeOptions, NodeOptions>? configure = null, string? dataDirectory = null, bool keepDataDirectory = false) =>
        new(await TestSite.StartAsync(configure, dataDirectory, keepDataDirectory));

    public async Task<ConnectionMultiplexer> ConnectAsync(Action<ConfigurationOptions>? configure = null)
    {
        var options = new ConfigurationOptions { EndPoints = { EndPoint }, AbortOnConnectFail = true, AllowAdmin = true, ConnectTimeout = 10_000, SyncTimeout = 10_000, AsyncTimeout = 10_000 };
        configure?.Invoke(options);
        return await ConnectionMultiplexer.ConnectAsync(options);
    }

    public ValueTask DisposeAsync() => Site.DisposeAsync();
}
