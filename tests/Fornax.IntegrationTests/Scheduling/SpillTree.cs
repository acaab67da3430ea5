using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Fornax.Core.Objects;
using Fornax.Node.Trees;
using Fornax.Testing;

namespace Fornax.IntegrationTests.Scheduling;

/// <summary>
/// A four-site tree for spill-out: root <c>a</c>, region <c>r</c>, edge sites <c>e1</c> and <c>e2</c> under it; the
/// <c>busy</c> function (CPU work: the body is a loop count) deployed where a mission says, with a policy.
/// </summary>
internal static class SpillTree
{
    /// <summary>Loop iterations of one heavy call: tens to hundreds of milliseconds, so concurrent calls overlap.</summary>
    public const string Heavy = "150000000";

    public static async Task<TreeHost> StartAsync(Dictionary<string, int> capacities, int queueThreshold = 1)
    {
        var topology = new Topology
        {
            Metadata = new ObjectMeta { Name = "spill" },
            Spec = new TopologySpec
            {
                Sites =
                [
                    new TopologySite { Name = "a", Tier = SiteTiers.Cloud, Capacity = capacities.GetValueOrDefault("a", 8) },
                    new TopologySite { Name = "r", Parent = "a", Tier = SiteTiers.Region, Capacity = capacities.GetValueOrDefault("r", 8) },
                    new TopologySite { Name = "e1", Parent = "r", Tier = SiteTiers.Edge, Capacity = capacities.GetValueOrDefault("e1", 8) },
                    new TopologySite { Name = "e2", Parent = "r", Tier = SiteTiers.Edge, Capacity = capacities.GetValueOrDefault("e2", 8) },
                ],
            },
        };
        return await TreeHost.StartAsync(topology, new TreeHostOptions { ConfigureScheduling = o => o with { QueueThreshold = queueThreshold } });
    }

    /// <summary>Deploys busy at <paramref name="sites"/> with <paramref name="policy"/>; waits until every one of <paramref name="watchers"/> knows where it serves and has heard their load.</summary>
    public static async Task DeployBusyAsync(TreeHost tree, string[] sites, string? policy = null, params string[] watchers)
    {
        var scheduling = policy is null ? "" : $", scheduling: {{policy: {policy}}}";
        await Portal.PortalTree.DeployFunctionAsync(tree, "busy-" + string.Join("-", sites), "busy", "busy.wasm", ", abi: raw, limits: {timeout: 20s}" + scheduling, sites);

        foreach (var watcher in watchers)
        {
            var others = sites.Where(s => s != watcher).Select(s => tree[s].Path).ToList();
            await Poll.UntilAsync(async () =>
            {
                var known = await LoadAsync(tree[watcher]);
                var serving = Portal.PortalTree.Map(tree[watcher]).SitesServing(new("default", "busy")).Where(s => s.Healthy).Select(s => s.SitePath);
                return others.All(o => known.ContainsKey(o) && serving.Contains(o));
            }, $"{watcher} to know busy at {string.Join(", ", others)} and their load", TimeSpan.FromSeconds(30));
        }
    }

    /// <summary>The load a site knows, by site path (<c>GET /api/load</c>).</summary>
    public static async Task<Dictionary<string, JsonObject>> LoadAsync(TreeSite site)
    {
        var load = await site.Http.GetFromJsonAsync<JsonObject>("/api/load");
        return load!["sites"]!.AsArray().Select(s => s!.AsObject()).ToDictionary(s => s["path"]!.GetValue<string>());
    }

    /// <summary>One call of busy at <paramref name="site"/>: status, body, where it ran, the hops and the route.</summary>
    public static async Task<Call> CallAsync(HttpClient ingress, string body)
    {
        using var response = await ingress.PostAsync("/fn/busy", new StringContent(body));
        return new Call((int)response.StatusCode, await response.Content.ReadAsStringAsync(),
            Header(response, "Fornax-Site"), Header(response, "Fornax-Hops"), Header(response, "Fornax-Route"));
    }

    /// <summary>Rounds of eight heavy calls at once at <paramref name="ingress"/>, until <paramref name="until"/> holds for the calls so far; all of them.</summary>
    public static async Task<List<Call>> BurstUntilAsync(HttpClient ingress, Func<List<Call>, bool> until, string what)
    {
        var calls = new List<Call>();
        await Poll.UntilAsync(async () =>
        {
            calls.AddRange(await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => CallAsync(ingress, Heavy))));
            return until(calls);
        }, what, TimeSpan.FromSeconds(60), () => Task.FromResult(string.Join("; ", calls)));
        return calls;
    }

    public static HttpClient Ingress(TreeSite site) => new() { BaseAddress = new Uri(site.Node.Endpoints.Ingress), Timeout = TimeSpan.FromSeconds(60) };

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(", ", values) : null;

    internal sealed record Call(int Status, string Body, string? Site, string? Hops, string? Route);
}
