using System.Net;
using Fornax.Core.Serialization;
using Fornax.Core.Validation;
using Fornax.Hierarchy.Identity;
using Fornax.Hierarchy.Links;
using Fornax.Node.Api;
using Fornax.Node.Api.Kube;
using Fornax.Node.Dashboard;
using Fornax.Node.Functions;
using Fornax.Node.Kv;
using Fornax.Node.Links;
using Fornax.Node.Locality;
using Fornax.Node.Missions;
using Fornax.Node.Portal;
using Fornax.Node.Scheduling;
using Fornax.Node.Sites;
using Fornax.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;

namespace Fornax.Node.Hosting;

/// <summary>Lets endpoints reach the running <see cref="SiteNode"/>, which is created after the container.</summary>
internal sealed class SiteNodeHolder
{
    public SiteNode? Node { get; set; }

    /// <summary>Held while <c>POST /api/attach</c> runs: one attachment at a time.</summary>
    public SemaphoreSlim Attaching { get; } = new(1, 1);
}

/// <summary>
/// One running site: the object store, the API and ingress listeners, and the controllers. Start it with
/// <see cref="StartAsync"/>; <c>fornax node run</c>, <c>fornax up</c>, the demo and the tests all do.
/// </summary>
public sealed partial class SiteNode : IAsyncDisposable
{
    private readonly IObjectStore _store;
    private WebApplication _app = null!;

    private SiteNode(IObjectStore store, NodeOptions options)
    {
        _store = store;
        Options = options;
        Endpoints = new SiteEndpointsInfo(options.Name, "", "", null);
    }

    public NodeOptions Options { get; private set; }

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
        var storeOptions = new ObjectStoreOptions { DataDirectory = options.DataDirectory, TimeProvider = options.TimeProvider };
        var store = ObjectStore.Open(options.ConfigureStore?.Invoke(storeOptions) ?? storeOptions);
        try
        {
            var node = new SiteNode(store, options);
            await node.StartAppAsync(ct);
            return node;
        }
        catch
        {
            await store.DisposeAsync();
            throw;
        }
    }

    /// <summary>Builds and starts the web application from <see cref="Options"/> and what the data directory holds.</summary>
    private async Task StartAppAsync(CancellationToken ct)
    {
        var options = Options;
        var store = _store;
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(options.LogLevel);
        // A request log line per API call drowns what the site itself says; raise with Logging config if needed.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        // Hosting's own category only logs request start/finish (Information). While any level of it is enabled, ASP.NET
        // Core starts an Activity and a logging scope for every request just in case — a few % of a function call.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
        // JSON nodes written by ASP.NET Core's own result helpers use source-generated metadata (Native AOT has no other).
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, WebJson.Default));
        builder.Logging.AddSimpleConsole(c =>
        {
            c.SingleLine = true;
            c.TimestampFormat = "HH:mm:ss ";
        });

        // Identity first: the root creates the tree CA; a child joins once (token + CSR) and keeps its certificate;
        // a root with its own subtree given a parent is attached under it (SiteStartup).
        var pki = new PkiOptions { DataDirectory = options.DataDirectory, TimeProvider = options.TimeProvider };
        var (identity, ca, parent) = await SiteStartup.ResolveIdentityAsync(options, store, ct);
        var listeners = new Listeners();
        var host = IPAddress.Parse(options.Host == "localhost" ? "127.0.0.1" : options.Host);
        var linkPort = LinkPortRecord.Choose(options, host, out var recordedPortTaken);
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
            kestrel.Listen(host, linkPort, listen =>
            {
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                // The TLS options of the tree (Fornax.Hierarchy, which knows nothing of Kestrel), made for each connection.
                listen.UseHttps(new TlsHandshakeCallbackOptions { OnConnection = _ => ValueTask.FromResult(identity.CreateServerAuthenticationOptions()) });
                listeners.LinkListen = listen;
            });
        });

        var parentPath = identity.SitePath.Contains('/') ? identity.SitePath[..identity.SitePath.LastIndexOf('/')] : null;
        var site = new LocalSite(options, parentPath?.Split('/')[^1], parentPath);
        var linkOptions = new LinkOptions
        {
            HeartbeatInterval = options.HeartbeatInterval,
            MissedHeartbeats = options.MissedHeartbeats,
            TimeProvider = options.TimeProvider,
            Random = options.Random,
        };
        var linkSelf = new LinkSiteInfo(site.Name, site.Path, site.Tier, site.Labels);
        var services = builder.Services;
        services.AddSingleton(options);
        services.AddSingleton(options.TimeProvider);
        services.AddSingleton(store);
        services.AddSingleton(BlobStore.Open(options.DataDirectory));
        services.AddSingleton(listeners);
        services.AddSingleton(site);
        services.AddSingleton<ObjectApi>();
        services.AddSingleton<RefusedModules>();
        services.AddSingleton<ListApi>();
        services.AddSingleton<PatchApi>();
        services.AddSingleton<SiteHeartbeats>();
        services.AddSingleton(sp => new CommandRunner(sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<MissionController>();
        if (options.TokenStore is { } tokenStore)
        {
            // Registered before the tree engine, whose TryAdd keeps it: tests put tokens on a failing "disk".
            services.AddSingleton(new JoinTokenIssuer(tokenStore, options.TimeProvider));
        }

        services.AddFornaxHierarchy(new HierarchySetup(store, identity, ca, parent, linkSelf, linkOptions, pki, options.DataDirectory));
        services.AddHostedService(sp => sp.GetRequiredService<MissionController>());
        services.AddHostedService<StorageMonitor>();
        services.AddFornaxFunctions();
        services.AddFornaxPortal();
        services.AddFornaxScheduling();
        services.AddFornaxDashboard();
        services.AddFornaxKv();
        services.AddFornaxLocality();
        services.AddFornaxResp();
        if (services.HasKvStore())
        {
            // The RESP port is bound only when the site has a KV store to serve (and so advertised only then).
            services.AddFornaxRespPort(listeners, new IPEndPoint(host, options.RespPort));
        }

        services.AddOpenTelemetry().WithMetrics(metrics => SiteMetrics.OwnInstrumentsOnly(metrics
            .AddMeter("Fornax.*", "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel"))
            .AddPrometheusExporter());

        // The node exists only once the app is built; a holder (not a factory) keeps the container from owning it.
        var holder = new SiteNodeHolder();
        services.AddSingleton(holder);

        var app = builder.Build();
        app.Use(ApiErrors.For(app.Services));
        app.UseRouting();
        app.Use(listeners.Filter);
        app.Use(ApiRequestGuard.For(app.Services));
        app.Use(ApiAuthentication.For(app.Services));
        app.MapObjectApiWithErrors();
        app.MapKubeDiscovery();
        app.MapOpenApi();
        app.MapBlobApi();
        app.MapSiteInfo();
        app.MapTreeApi();
        app.MapFornaxLinks();
        app.MapFornaxFunctions();
        app.MapFornaxPortal();
        app.MapFornaxScheduling();
        app.MapFornaxLocality();
        app.MapFornaxDashboard();
        app.MapPrometheusScrapingEndpoint("/metrics");

        if (services.HasKvStore())
        {
            // The server over the store is made now (a KV directory failing the cheap check stops the start here); the
            // store itself opens when the site first needs it (SiteKvStore).
            app.Services.GetRequiredService<Fornax.Kv.Resp.IRespServer>();
        }

        var node = this;
        _app = app;
        holder.Node = node;
        if (identity.Move is { } move)
        {
            // State keys written under the old path now belong to the new one, before the controllers and links run
            // (idempotent, so every start may do it; on a full disk the next start does it).
            await TolerateFullDiskAsync("rebasing mission states after the move", () => MoveRebase.RebaseStatesAsync(store, move, ct));
        }

        await app.StartAsync(ct);
        node.Endpoints = new SiteEndpointsInfo(
            options.Name,
            SiteEndpointsInfo.Url(options.Host, listeners.ApiPort),
            SiteEndpointsInfo.Url(options.Host, listeners.IngressPort),
            Resp: listeners.RespPort == 0 ? null : SiteEndpointsInfo.RedisUrl(options.Host, listeners.RespPort));
        linkSelf.Api = node.Endpoints.Api;
        linkSelf.Ingress = node.Endpoints.Ingress;
        linkSelf.Resp = node.Endpoints.Resp;
        linkSelf.Link = $"https://{(options.Host.Contains(':') ? $"[{options.Host}]" : options.Host)}:{listeners.LinkPort}";
        LinkPortRecord.Remember(options.DataDirectory, listeners.LinkPort);
        if (recordedPortTaken != 0)
        {
            LogRecordedLinkPortTaken(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger<SiteNode>(), recordedPortTaken, listeners.LinkPort);
        }

        await RegisterAsync(ct);
        var links = app.Services.GetRequiredService<LinkRunner>();
        if (parent is not null && options.UplinkEmulator is { } emulator)
        {
            var (address, control) = await emulator.StartAsync(parent.Link, options.Uplink, ct);
            app.Services.GetRequiredService<UplinkRoute>().Address = address;
            links.UplinkControl = control;
        }

        if (links.Uplink is { } uplink)
        {
            // A parent moved into another tree and this site staged its new certificate: restart on it.
            uplink.MoveStaged = () =>
            {
                RequestReload();
                return Task.CompletedTask;
            };
        }

        // A forget that a crash cut short after it was recorded is finished before the pruner and the uplink run (the
        // forgotten child itself is refused from the first connection on: the record is loaded with the Downlinks).
        await TolerateFullDiskAsync("finishing a forget", () => app.Services.GetRequiredService<SiteForgetting>().ResumeAsync(ct));
        // Then the children this site had (forgotten ones excepted) are known again before the pruner runs, so one that
        // stays away shows cluster offline in every mission instead of no entry at all.
        await TolerateFullDiskAsync("recording the children known here", () => links.Downlinks.RestoreChildrenAsync(identity.Move, ct));
        links.Start();
        await WriteEndpointsFileAsync(ct);
        node.IsReady = true;
    }

    /// <summary>The link engines (index, pruner, uplink) of this site.</summary>
    public LinkRunner Links => _app.Services.GetRequiredService<LinkRunner>();
}

/// <summary>Where the uplink dials: the parent's link address, or the emulator in front of it.</summary>
internal sealed class UplinkRoute
{
    public string? Address { get; set; }

    public Task<string> RouteAsync(string parentLink, CancellationToken ct) => Task.FromResult(Address ?? parentLink);
}
