using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Fornax.Hierarchy.Identity;
using Fornax.Hierarchy.Links.Protocol;
using Fornax.Node.Trees;
using Grpc.Core;
using Grpc.Net.Client;

namespace Fornax.IntegrationTests.Forget;

/// <summary>Requests and checks the forget tests share.</summary>
internal static class ForgetHarness
{
    /// <summary>The refusal a forgotten child of cloud/east named east-1 gets, at the parent's link and in its own status.</summary>
    public const string EastOneRefusal = "site \"east-1\" was forgotten at cloud/east; join again with a new token";

    /// <summary>Selects every site of the tree (each has the built-in site label).</summary>
    public const string EverySite = """
        apiVersion: fornax.io/v1
        kind: Mission
        metadata: {name: NAME}
        spec:
          placement: {selector: {matchExpressions: [{key: fornax.io/site, operator: Exists}]}}
          content:
            - apiVersion: fornax.io/v1
              kind: ConfigMap
              metadata: {name: NAME-config}
              data: {from: NAME}
        """;

    /// <summary>Applies <see cref="EverySite"/> as mission <paramref name="name"/> at <paramref name="site"/>.</summary>
    public static Task ApplyEverySiteAsync(TreeSite site, string name) =>
        TreeHost.ApplyAsync(site, "missions", name, EverySite.Replace("NAME", name, StringComparison.Ordinal));

    /// <summary><c>DELETE /api/children/{name}</c> at a site: the status code and the answer (or the Status of a refusal).</summary>
    public static async Task<(int Status, JsonObject Body)> ForgetAsync(TreeSite parent, string name, bool force = false)
    {
        using var response = await parent.Http.DeleteAsync($"/api/children/{name}" + (force ? "?force=true" : ""));
        return ((int)response.StatusCode, (await response.Content.ReadFromJsonAsync<JsonObject>())!);
    }

    /// <summary>The mission's state keys at or under <paramref name="path"/> at a site.</summary>
    public static async Task<List<string>> KeysUnderAsync(TreeSite site, string mission, string path) =>
        [.. (await TreeHost.StatesAsync(site, mission)).Keys.Where(k => k == path || k.StartsWith(path + "/", StringComparison.Ordinal))];

    /// <summary>True when the site has none of these <c>Site</c> objects.</summary>
    public static async Task<bool> HasNoSitesAsync(TreeSite site, params string[] names)
    {
        foreach (var name in names)
        {
            if (await TreeHost.GetAsync(site, "sites", name) is not null)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>True when the site has every one of these <c>Site</c> objects.</summary>
    public static async Task<bool> HasSitesAsync(TreeSite site, params string[] names)
    {
        foreach (var name in names)
        {
            if (await TreeHost.GetAsync(site, "sites", name) is null)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Opens a link session to <paramref name="parent"/>'s link port as <paramref name="child"/> (real mutual TLS, a real gRPC
    /// client) and says Hello; returns the error the parent ends it with, or null when it answered Welcome.
    /// </summary>
    public static async Task<RpcException?> LinkAsAsync(TreeSite parent, SiteIdentity child)
    {
        using var channel = GrpcChannel.ForAddress(parent.Node.Links.Self.Link!, new GrpcChannelOptions { HttpHandler = child.CreateHttpHandler(parent.Path) });
        using var call = new SiteLink.SiteLinkClient(channel).Connect();
        try
        {
            await call.RequestStream.WriteAsync(new Up { Hello = new Hello { Name = child.SiteName, Path = child.SitePath, Incarnation = "test" } });
            return await call.ResponseStream.MoveNext() && call.ResponseStream.Current.BodyCase == Down.BodyOneofCase.Welcome
                ? null
                : throw new InvalidOperationException("the parent neither refused nor welcomed the link");
        }
        catch (RpcException e)
        {
            return e;
        }
    }
}
