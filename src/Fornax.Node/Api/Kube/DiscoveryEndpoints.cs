using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using Fornax.Core.Objects;
using Fornax.Core.Serialization;
using Fornax.Node.Hosting;
using Fornax.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Net.Http.Headers;

namespace Fornax.Node.Api.Kube;

/// <summary>
/// Kubernetes discovery: <c>/version</c>, <c>/api</c>, <c>/api/v1</c>, <c>/apis</c>, <c>/apis/fornax.io/v1</c>, in the
/// aggregated format (<c>apidiscovery.k8s.io/v2</c>) when the client asks for it, as kubectl 1.30+ does first, and in the
/// original one otherwise.
/// </summary>
internal static class DiscoveryEndpoints
{
    /// <summary>The Kubernetes minor version whose API conventions the site follows (kubectl warns beyond one minor of skew).</summary>
    private const string KubernetesMinor = "32";

    private const string AggregatedType = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

    public static void MapKubeDiscovery(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("").WithMetadata(new ListenerMetadata(Listeners.Api));
        api.MapGet("/version", Version);
        api.MapGet("/api", (HttpContext http) => WantsAggregated(http)
            ? Aggregated(KubeDiscovery.CoreGroupDiscovery())
            : Results.Json(new JsonObject
            {
                ["kind"] = "APIVersions",
                ["versions"] = KubeDiscovery.Strings(["v1"]),
                ["serverAddressByClientCIDRs"] = new JsonArray(new JsonObject { ["clientCIDR"] = "0.0.0.0/0", ["serverAddress"] = http.Request.Host.Value }),
            }, WebJson.Default.JsonObject));
        api.MapGet("/api/v1", () => Results.Json(new JsonObject
        {
            ["kind"] = "APIResourceList",
            ["groupVersion"] = "v1",
            ["resources"] = new JsonArray(new JsonObject
            {
                ["name"] = "namespaces",
                ["singularName"] = "namespace",
                ["namespaced"] = false,
                ["kind"] = "Namespace",
                ["verbs"] = KubeDiscovery.Strings(KubeDiscovery.NamespaceVerbs),
                ["shortNames"] = KubeDiscovery.Strings(["ns"]),
            }),
        }, WebJson.Default.JsonObject));
        api.MapGet("/api/v1/namespaces", ListNamespacesAsync);
        api.MapGet("/api/v1/namespaces/{name}", GetNamespaceAsync);
        api.MapGet("/apis", (HttpContext http) => WantsAggregated(http)
            ? Aggregated(KubeDiscovery.GroupDiscovery())
            : Results.Json(new JsonObject { ["kind"] = "APIGroupList", ["apiVersion"] = "v1", ["groups"] = new JsonArray(Group()) }, WebJson.Default.JsonObject));
        api.MapGet("/apis/" + Kinds.Group, () => Results.Json(Group(), WebJson.Default.JsonObject));
        api.MapGet(ObjectEndpoints.Prefix, () => Results.Json(KubeDiscovery.ResourceList(), WebJson.Default.JsonObject));
    }

    /// <summary>
    /// True when the Accept header names the aggregated format (the client then also accepts the original one). Parsed,
    /// not matched as text: "application/json; g=apidiscovery.k8s.io; v=v2; as=…" (spaces after the semicolons, as .NET's
    /// and other clients write it) and any order of the parameters mean the same.
    /// </summary>
    private static bool WantsAggregated(HttpContext http) =>
        MediaTypeHeaderValue.TryParseList(http.Request.Headers.Accept, out var accepted)
        && accepted.Any(type => Is(type, "g", "apidiscovery.k8s.io") && Is(type, "v", "v2") && Is(type, "as", "APIGroupDiscoveryList")
            && (type.Quality ?? 1) > 0);

    private static bool Is(MediaTypeHeaderValue type, string parameter, string value) =>
        string.Equals(NameValueHeaderValue.Find(type.Parameters, parameter)?.Value.Value, value, StringComparison.OrdinalIgnoreCase);

    private static IResult Aggregated(JsonObject group)
    {
        var list = new JsonObject
        {
            ["kind"] = "APIGroupDiscoveryList",
            ["apiVersion"] = "apidiscovery.k8s.io/v2",
            ["metadata"] = new JsonObject(),
            ["items"] = new JsonArray(group),
        };
        return Results.Text(list.ToJsonString(), AggregatedType);
    }

    private static JsonObject Group()
    {
        var version = new JsonObject { ["groupVersion"] = Kinds.ApiVersion, ["version"] = "v1" };
        return new JsonObject
        {
            ["kind"] = "APIGroup",
            ["apiVersion"] = "v1",
            ["name"] = Kinds.Group,
            ["versions"] = new JsonArray(version),
            ["preferredVersion"] = version.DeepClone(),
        };
    }

    private static IResult Version()
    {
        var fornax = typeof(DiscoveryEndpoints).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
        return Results.Json(new JsonObject
        {
            ["major"] = "1",
            ["minor"] = KubernetesMinor,
            ["gitVersion"] = $"v1.{KubernetesMinor}.0+fornax-{fornax.Split('+')[0]}",
            ["gitCommit"] = fornax.Contains('+') ? fornax.Split('+')[1] : "",
            ["gitTreeState"] = "clean",
            ["buildDate"] = "",
            ["goVersion"] = "",
            ["compiler"] = "dotnet " + Environment.Version,
            ["platform"] = RuntimeInformation.RuntimeIdentifier.Replace('-', '/'),
        }, WebJson.Default.JsonObject);
    }

    private static async Task<IResult> ListNamespacesAsync(IObjectStore store, CancellationToken ct)
    {
        var names = await NamespacesAsync(store, ct);
        return Results.Json(new JsonObject
        {
            ["kind"] = "NamespaceList",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject { ["resourceVersion"] = KubeWire.Version(store.ResourceVersion) },
            ["items"] = new JsonArray([.. names.Select(n => (JsonNode)Namespace(n))]),
        }, WebJson.Default.JsonObject);
    }

    private static async Task<IResult> GetNamespaceAsync(string name, IObjectStore store, CancellationToken ct) =>
        (await NamespacesAsync(store, ct)).Contains(name)
            ? Results.Json(Namespace(name), WebJson.Default.JsonObject)
            : ApiStatus.NotFound($"namespaces \"{name}\" not found");

    /// <summary>The namespaces the site's objects are in, and <c>default</c> (where objects go without one).</summary>
    private static async Task<SortedSet<string>> NamespacesAsync(IObjectStore store, CancellationToken ct)
    {
        var names = new SortedSet<string>(StringComparer.Ordinal) { Kinds.DefaultNamespace };
        foreach (var kind in KubeDiscovery.Served)
        {
            foreach (var item in (await store.ListAsync(kind.Kind, null, ct)).Items)
            {
                names.Add(item.Key.Namespace);
            }
        }

        return names;
    }

    private static JsonObject Namespace(string name) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Namespace",
        ["metadata"] = new JsonObject { ["name"] = name },
        ["status"] = new JsonObject { ["phase"] = "Active" },
    };
}
