using Fornax.Node.Hosting;

namespace Fornax.Cli.Commands.Node;

/// <summary>
/// Starts a site in this process. <c>node run</c> and <c>demo</c> use it instead of <c>Fornax.Node.SiteNode</c>
/// directly, so they can be tested with a fake site.
/// </summary>
public interface ISiteHost
{
    Task<IRunningSite> StartAsync(NodeOptions options, CancellationToken ct);
}

/// <summary>A started site.</summary>
public interface IRunningSite : IAsyncDisposable
{
    SiteHostEndpoints Endpoints { get; }

    Task StopAsync(CancellationToken ct);

    /// <summary>Completes when the site stops, or throws <see cref="OperationCanceledException"/> when <paramref name="ct"/> fires.</summary>
    Task WaitForShutdownAsync(CancellationToken ct);
}

/// <summary>The URLs a started site serves on.</summary>
public sealed record SiteHostEndpoints(string Api, string Ingress, string? Resp);
