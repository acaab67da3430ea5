using Fornax.Core.Objects;
using Fornax.Node.Functions;
using Fornax.Node.Hosting;
using Fornax.Node.Sites;
using Fornax.Portal;

namespace Fornax.Node.Portal;

/// <summary>What this site does with a request for a service: where its backend is, or why the request is refused here.</summary>
/// <param name="Backend">The backend's base URL (no trailing slash) when the request may go there.</param>
/// <param name="Status">Otherwise: the status to answer (404 not served here, 403 policy, 400 a tcp service).</param>
/// <param name="Refusal">Otherwise: one line naming the service and the site.</param>
internal readonly record struct LocalRoute(string? Backend, int Status, string? Refusal)
{
    public bool NotServed => Status == 404;

    /// <summary>The backend is a function of this site (its own <c>/fn/</c>), which believes the portal's namespace only with its key.</summary>
    public bool Function { get; init; }
}

/// <summary>
/// Where this site serves a service: the base URL a request's rest of path is appended to. A <c>Service</c> object's
/// backends are tried in their order (a function deployed here: this site's own ingress; an address at this site: that
/// address); without one, a function deployed here under the service's name.
/// </summary>
internal sealed class LocalBackends(ServiceCatalog catalog, FunctionRegistry functions, LocalSite site, NodeOptions options, Listeners listeners)
{
    /// <summary>Where an HTTP request for <paramref name="service"/> from a caller in <paramref name="callerNamespace"/> goes here.</summary>
    public async ValueTask<LocalRoute> RouteAsync(ServiceKey service, string callerNamespace, CancellationToken ct)
    {
        if (await catalog.FindAsync(service, ct) is not { } stored)
        {
            return functions.Find(service.Name) is { } deployed && deployed.Key.Namespace == service.Namespace
                ? new LocalRoute(FunctionUrl(service.Name), 0, null) { Function = true }
                : NotServed(service);
        }

        if (Backend(stored) is not ({ } backend, var function))
        {
            return NotServed(service);
        }

        if (stored.Protocol == ServiceProtocols.Tcp)
        {
            return new LocalRoute(null, 400, $"service {service} at site {site.Path} is a tcp service: /svc/ carries HTTP requests; reach it through a tunnel with `fornax portal forward {service} --local-port PORT`");
        }

        return Refusal(service, stored, callerNamespace) is { } refusal ? new LocalRoute(null, 403, refusal) : new LocalRoute(backend, 0, null) { Function = function };
    }

    /// <summary>
    /// The address a tunnel for a <c>tcp</c> service from a caller in <paramref name="callerNamespace"/> dials here (in
    /// <see cref="LocalRoute.Backend"/>): the first <c>{site: this site, address}</c> backend of its <c>Service</c>;
    /// otherwise 404 (not a tcp service served here) or 403 (its <c>spec.allowedNamespaces</c>), with one line naming the
    /// service and the site.
    /// </summary>
    public async Task<LocalRoute> FindTcpAsync(ServiceKey service, string callerNamespace, CancellationToken ct)
    {
        if (await catalog.FindAsync(service, ct) is not { } stored)
        {
            return NotServed(service);
        }

        if (stored.Protocol != ServiceProtocols.Tcp)
        {
            return new LocalRoute(null, 404, $"service {service} at site {site.Path} is an {stored.Protocol} service, not tcp: call it at /svc/{service}/");
        }

        if (stored.Backends.FirstOrDefault(b => b.Site == site.Name && b.Address is not null) is not { } backend)
        {
            return new LocalRoute(null, 404, $"service {service} has no address backend at site {site.Path}");
        }

        return Refusal(service, stored, callerNamespace) is { } refusal ? new LocalRoute(null, 403, refusal) : new LocalRoute(backend.Address, 0, null);
    }

    /// <summary>
    /// Why the function <paramref name="function"/> refuses a caller of <paramref name="callerNamespace"/> at <c>/fn/</c>:
    /// a function is the service of its own name, so the <c>spec.allowedNamespaces</c> of a <c>Service</c> of that name
    /// applies; null when there is none or it allows the caller.
    /// </summary>
    public async ValueTask<string?> FunctionRefusalAsync(ServiceKey function, string callerNamespace, CancellationToken ct) =>
        await catalog.FindAsync(function, ct) is { AllowedNamespaces: not null } stored ? Refusal(function, stored, callerNamespace) : null;

    private (string? Url, bool Function) Backend(ServiceEntry stored)
    {
        foreach (var backend in stored.Backends)
        {
            if (backend.Function is { } function && functions.Find(function) is not null)
            {
                return (FunctionUrl(function), true);
            }

            if (backend.Site == site.Name && backend.Address is { } address)
            {
                return ("http://" + address, false);
            }
        }

        return (null, false);
    }

    /// <summary>Why <paramref name="stored"/> refuses a caller of <paramref name="callerNamespace"/> (its <c>spec.allowedNamespaces</c> does not name it), or null.</summary>
    private string? Refusal(ServiceKey service, ServiceEntry stored, string callerNamespace)
    {
        if (stored.AllowedNamespaces is not { } names || names.Contains(ServiceSpec.AnyNamespace) || names.Contains(callerNamespace))
        {
            return null;
        }

        return $"service {service} refuses namespace {callerNamespace} at site {site.Path}: policy spec.allowedNamespaces of Service {service} allows "
            + (names.Count == 0 ? "no namespace" : string.Join(", ", names));
    }

    private LocalRoute NotServed(ServiceKey service) => new(null, 404, $"service {service} is not served at site {site.Path}");

    private string FunctionUrl(string function) => $"{SiteEndpointsInfo.Url(options.Host, listeners.IngressPort)}/fn/{Uri.EscapeDataString(function)}";
}
