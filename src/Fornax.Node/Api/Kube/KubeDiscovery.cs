using System.Text.Json.Nodes;
using Fornax.Core.Objects;

namespace Fornax.Node.Api.Kube;

/// <summary>
/// What the discovery documents say about each served kind, generated from the kind registry so a kind added to
/// <see cref="Kinds.All"/> is discovered without further edits.
/// </summary>
internal static class KubeDiscovery
{
    /// <summary>The category <c>kubectl get fornax</c> lists.</summary>
    public const string Category = "fornax";

    public static readonly string[] Verbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

    /// <summary>PUT …/status replaces the status; nothing else is served on the subresource.</summary>
    public static readonly string[] StatusVerbs = ["update"];

    public static IEnumerable<KindInfo> Served => Kinds.All.Where(k => k.Stored);

    /// <summary><c>/apis/fornax.io/v1</c> in the original (v1 <c>APIResourceList</c>) format.</summary>
    public static JsonObject ResourceList()
    {
        var resources = new JsonArray();
        foreach (var kind in Served)
        {
            resources.Add((JsonNode)new JsonObject
            {
                ["name"] = kind.Plural,
                ["singularName"] = kind.Singular,
                ["namespaced"] = true,
                ["kind"] = kind.Kind,
                ["verbs"] = Strings(Verbs),
                ["shortNames"] = Strings(kind.ShortNames),
                ["categories"] = Strings([Category]),
            });
            resources.Add((JsonNode)new JsonObject
            {
                ["name"] = kind.Plural + "/status",
                ["singularName"] = "",
                ["namespaced"] = true,
                ["kind"] = kind.Kind,
                ["verbs"] = Strings(StatusVerbs),
            });
        }

        return new JsonObject { ["kind"] = "APIResourceList", ["apiVersion"] = "v1", ["groupVersion"] = Kinds.ApiVersion, ["resources"] = resources };
    }

    /// <summary>The <c>fornax.io</c> group as an <c>apidiscovery.k8s.io/v2</c> <c>APIGroupDiscovery</c>.</summary>
    public static JsonObject GroupDiscovery()
    {
        var resources = new JsonArray();
        foreach (var kind in Served)
        {
            var responseKind = new JsonObject { ["group"] = Kinds.Group, ["version"] = "v1", ["kind"] = kind.Kind };
            resources.Add((JsonNode)new JsonObject
            {
                ["resource"] = kind.Plural,
                ["responseKind"] = responseKind,
                ["scope"] = "Namespaced",
                ["singularResource"] = kind.Singular,
                ["verbs"] = Strings(Verbs),
                ["shortNames"] = Strings(kind.ShortNames),
                ["categories"] = Strings([Category]),
                ["subresources"] = new JsonArray(new JsonObject
                {
                    ["subresource"] = "status",
                    ["responseKind"] = responseKind.DeepClone(),
                    ["verbs"] = Strings(StatusVerbs),
                }),
            });
        }

        return new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = Kinds.Group },
            ["versions"] = new JsonArray(new JsonObject { ["version"] = "v1", ["resources"] = resources, ["freshness"] = "Current" }),
        };
    }

    /// <summary>The core group (<c>/api</c>) as an <c>APIGroupDiscovery</c>: only <c>namespaces</c>, read-only.</summary>
    public static JsonObject CoreGroupDiscovery() => new()
    {
        ["metadata"] = new JsonObject(),
        ["versions"] = new JsonArray(new JsonObject
        {
            ["version"] = "v1",
            ["resources"] = new JsonArray(new JsonObject
            {
                ["resource"] = "namespaces",
                ["responseKind"] = new JsonObject { ["group"] = "", ["version"] = "v1", ["kind"] = "Namespace" },
                ["scope"] = "Cluster",
                ["singularResource"] = "namespace",
                ["verbs"] = Strings(NamespaceVerbs),
                ["shortNames"] = Strings(["ns"]),
            }),
            ["freshness"] = "Current",
        }),
    };

    public static readonly string[] NamespaceVerbs = ["get", "list"];

    public static JsonArray Strings(IEnumerable<string> values) => new([.. values.Select(v => (JsonNode)v)]);
}
