using System.Text.Json.Nodes;
using Fornax.Node.Tests.Kv;
using StackExchange.Redis;

namespace Fornax.Node.Tests.State;

/// <summary>A real site with keyspaces and stateful functions deployed as a user would, and a Redis client on its RESP port.</summary>
internal static class StateSite
{
    public static async Task ApplyKeyspaceAsync(this TestSite site, string name, string prefix)
    {
        var response = await site.PutYamlAsync("keyspaces", name, $"apiVersion: fornax.io/v1\nkind: Keyspace\nmetadata: {{name: {name}}}\nspec: {{prefix: \"{prefix}\"}}\n");
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Deploys <paramref name="guest"/> as <paramref name="name"/> with <c>spec.state</c> = <paramref name="state"/> (YAML flow).</summary>
    public static Task<string> DeployStatefulAsync(this TestSite site, string name, string guest, string state) =>
        site.DeployAsync(name, guest, $"  state: {state}\n");

    public static async Task<ConnectionMultiplexer> RedisAsync(this TestSite site) => await new RespSite(site).ConnectAsync();

    public static async Task<JsonObject> GetJsonAsync(this HttpClient ingress, string path)
    {
        var (status, body) = await ingress.SendAsync(HttpMethod.Get, path);
        Assert.True(status == System.Net.HttpStatusCode.OK, $"{path}: {(int)status} {body}");
        return JsonNode.Parse(body)!.AsObject();
    }
}
