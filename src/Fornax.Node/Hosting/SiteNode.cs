using System.Net;
using System.Text.Json;
using Fornax.Core.Validation;
using Fornax.Node.Api;
using Fornax.Node.Functions;
using Fornax.Node.Missions;
using Fornax.Node.Sites;
using Fornax.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;

namespace Fornax.Node.Hosting;

/// <summary>Lets endpoints reach the running <see cref="SiteNode"/>, which is created after the container.</summary>
internal sealed class SiteNodeHolder
{
    public SiteNode? Node { get; set; }
}

/// <summary>
/// One running site: the object store, the API and ingress listeners, and the controllers. Start it with
/// <see cref="StartAsync"/>; <c>fornax node run</c>, <c>fornax up</c>, the demo and the tests all do.
/// </summary>
public sealed class SiteNode : IAsyncDisposable
{
    private readonly WebApplication _app;

    private SiteNode(WebApplication app, NodeOptions options, SiteEndpointsInfo endpoints)
    {
        _app = app;
        Options = options;
        Endpoints = endpoints;
    }

    public NodeOptions Options { get; }

    public SiteEndpointsInfo Endpoints { get; private set; }

    public IServiceProvider Services => _app.Services;

    public bool IsReady { get; private set; }

    /// <summary>Validates the options, opens the data directory (refusing one in use), starts listening.</summary>
    public static async Task<SiteNode> StartAsync(NodeOptions options, CancellationToken ct = default)
    {
        var errors = NodeOptionsValidator.Validate(options);
        if (errors.Count > 0)
        {
            throw new ObjectValidationException(errors, "invalid site configuration");
        }

        Directory.CreateDirectory(options.DataDirectory);
        var store = ObjectStore.Open(new ObjectStoreOptions { DataDirectory = options.DataDirectory, TimeProvider = options.TimeProvider });
        try
        {
            return await StartWithStoreAsync(options, store, ct);
        }
        catch
        {
            await store.DisposeAsync();
            throw;
        }
    }

    private static async Task<SiteNode> StartWithStoreAsync(NodeOptions options, IObjectStore store, CancellationToken ct)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(options.LogLevel);
        // A request log line per API call drowns what the site itself says; raise with Logging config if needed.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddSimpleConsole(c =>
        {
            c.SingleLine = true;
            c.TimestampFormat = "HH:mm:ss ";
        });

        var listeners = new Listeners();
        var host = IPAddress.Parse(options.Host == "localhost" ? "127.0.0.1" : options.Host);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = Math.Max(options.MaxRequestBodyBytes, options.MaxBlobBytes);
            kestrel.AddServerHeader = false;
            kestrel.Listen(host, options.ApiPort, listen =>
            {
                listen.Protocols = HttpProtocols.Http1;
                listeners.ApiListen = listen;
            });
            kestrel.Listen(host, options.IngressPort, listen =>
            {
                listen.Protocols = HttpProtocols.Http1;
                listeners.IngressListen = listen;
            });
        });

        var site = new LocalSite(options);
        var services = builder.Services;
        services.AddSingleton(options);
        services.AddSingleton(options.TimeProvider);
        services.AddSingleton(store);
        services.AddSingleton(BlobStore.Open(options.DataDirectory));
        services.AddSingleton(listeners);
        services.AddSingleton(site);
        services.AddSingleton<ObjectApi>();
        services.AddSingleton(sp => new CommandRunner(sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<MissionController>();
        services.AddHostedService(sp => sp.GetRequiredService<MissionController>());
        services.AddFornaxFunctions();
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter("Fornax.*", "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel")
            .AddPrometheusExporter());

        // The node exists only once the app is built; a holder (not a factory) keeps the container from owning it.
        var holder = new SiteNodeHolder();
        services.AddSingleton(holder);

        var app = builder.Build();
        app.UseRouting();
        app.Use(listeners.Filter);
        app.MapObjectApiWithErrors();
        app.MapBlobApi();
        app.MapSiteInfo();
        app.MapFornaxFunctions();
        app.MapPrometheusScrapingEndpoint("/metrics");

        var node = new SiteNode(app, options, new SiteEndpointsInfo(options.Name, "", "", null));
        holder.Node = node;
        await app.StartAsync(ct);
        node.Endpoints = new SiteEndpointsInfo(
            options.Name,
            SiteEndpointsInfo.Url(options.Host, listeners.ApiPort),
            SiteEndpointsInfo.Url(options.Host, listeners.IngressPort),
            Resp: null);
        await SiteRegistration.RegisterAsync(store, site, node.Endpoints, options.TimeProvider, ct);
        await WriteEndpointsFileAsync(options.DataDirectory, node.Endpoints, ct);
        node.IsReady = true;
        return node;
    }

    private static async Task WriteEndpointsFileAsync(string dataDirectory, SiteEndpointsInfo endpoints, CancellationToken ct)
    {
        var path = Path.Combine(dataDirectory, "endpoints.json");
        var temp = path + ".tmp";
        var json = JsonSerializer.Serialize(
            new Dictionary<string, string?> { ["name"] = endpoints.Name, ["api"] = endpoints.Api, ["ingress"] = endpoints.Ingress, ["resp"] = endpoints.Resp },
            NodeJson.Default.DictionaryStringString);
        await File.WriteAllTextAsync(temp, json, ct);
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Completes when the host is asked to stop (Ctrl-C, SIGTERM, or <see cref="StopAsync"/>).</summary>
    public Task WaitForShutdownAsync(CancellationToken ct = default) => _app.WaitForShutdownAsync(ct);

    public async Task StopAsync(CancellationToken ct = default)
    {
        IsReady = false;
        await _app.StopAsync(ct);
    }

    public async ValueTask DisposeAsync()
    {
        IsReady = false;
        // Instances handed to the container are not disposed by it; the store is ours to close, last.
        var store = _app.Services.GetRequiredService<IObjectStore>();
        await _app.DisposeAsync();
        await store.DisposeAsync();
    }
}
