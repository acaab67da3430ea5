using System.Text.Json.Nodes;
using Fornax.Node.Functions;
using Fornax.Node.Hosting;
using Fornax.Node.Sites;
using Fornax.Portal;
using Fornax.Store;

namespace Fornax.Node.Portal;

/// <summary>
/// Where this site serves a service: the base URL a request's rest of path is appended to. A <c>Service</c> object's
/// backends are tried in their order (a function deployed here: this site's own ingress; an address at this site: that
/// address); without one, a function deployed here under the service's name.
/// </summary>
internal sealed class LocalBackends(IObjectStore store, FunctionRegistry functions, LocalSite site, NodeOptions options, Listeners listeners)
{
    /// <summary>The backend's base URL (no trailing slash), or null when nothing serves the service here.</summary>
    public async Task<string?> FindAsync(ServiceKey service, CancellationToken ct)
    {
        var stored = await store.GetAsync(new ObjectKey("Service", service.Namespace, service.Name), ct);
        if (stored is not null)
        {
            foreach (var backend in stored.Object["spec"]?["backends"] as JsonArray ?? [])
            {
                if (backend?["function"]?.GetValue<string>() is { } function && functions.Find(function) is not null)
                {
                    return FunctionUrl(function);
                }

                if (backend?["site"]?.GetValue<string>() == site.Name && backend["address"]?.GetValue<string>() is { } address)
                {
                    return "http://" + address;
                }
            }

            return null;
        }

        return functions.Find(service.Name) is { } deployed && deployed.Key.Namespace == service.Namespace ? FunctionUrl(service.Name) : null;
    }

    /// <summary>The request header naming the caller's namespace; a caller without one is in namespace <c>default</c>.</summary>
    public const string NamespaceHeader = "Fornax-Namespace";

    public static string CallerNamespace(Microsoft.AspNetCore.Http.HttpRequest request) =>
        request.Headers[NamespaceHeader].ToString() is { Length: > 0 } declared ? declared : "default";

    /// <summary>
    /// Why the <c>Service</c> held here refuses a caller of <paramref name="callerNamespace"/> (its
    /// <c>spec.allowedNamespaces</c> does not name it), or null when it may call.
    /// </summary>
    public async Task<string?> RefusalAsync(ServiceKey service, string callerNamespace, CancellationToken ct)
    {
        var stored = await store.GetAsync(new ObjectKey("Service", service.Namespace, service.Name), ct);
        if (stored?.Object["spec"]?["allowedNamespaces"] is not JsonArray allowed)
        {
            return null;
        }

        var names = allowed.Select(n => n?.GetValue<string>() ?? "").ToList();
        if (names.Contains(Fornax.Core.Objects.ServiceSpec.AnyNamespace) || names.Contains(callerNamespace))
        {
            return null;
        }

        return $"service {service} refuses namespace {callerNamespace} at site {site.Path}: policy spec.allowedNamespaces of Service {service} allows "
            + (names.Count == 0 ? "no namespace" : string.Join(", ", names));
    }

    /// <summary>
    /// The address a tunnel for a <c>tcp</c> service dials here: the first <c>{site: this site, address}</c> backend of its
    /// <c>Service</c>; otherwise why not (one line naming the service and the site).
    /// </summary>
    public async Task<(string? Address, string? Refusal)> FindTcpAsync(ServiceKey service, CancellationToken ct)
    {
        var stored = await store.GetAsync(new ObjectKey("Service", service.Namespace, service.Name), ct);
        if (stored is null)
        {
            return (null, $"service {service} is not served at site {site.Path}");
        }

        var protocol = stored.Object["spec"]?["protocol"]?.GetValue<string>() ?? Fornax.Core.Objects.ServiceProtocols.Http;
        if (protocol != Fornax.Core.Objects.ServiceProtocols.Tcp)
        {
            return (null, $"service {service} at site {site.Path} is an {protocol} service, not tcp: call it at /svc/{service}/");
        }

        foreach (var backend in stored.Object["spec"]?["backends"] as JsonArray ?? [])
        {
            if (backend?["site"]?.GetValue<string>() == site.Name && backend["address"]?.GetValue<string>() is { } address)
            {
                return (address, null);
            }
        }

        return (null, $"service {service} has no address backend at site {site.Path}");
    }

    private string FunctionUrl(string function) => $"{SiteEndpointsInfo.Url(options.Host, listeners.IngressPort)}/fn/{Uri.EscapeDataString(function)}";
}
