using System.Net.Http.Headers;
using System.Security.Cryptography;
using Fornax.Core.Objects;
using Fornax.Node.Trees;
using Fornax.Portal;
using Fornax.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Fornax.IntegrationTests.Portal;

/// <summary>
/// A four-site tree for the portal tests: root <c>a</c>, region <c>r</c> under it, edge sites <c>e1</c> and <c>e2</c>
/// under the region, every link emulated; with helpers to deploy the <c>hello</c> function where a mission says.
/// </summary>
internal static class PortalTree
{
    public static readonly ServiceKey Hello = new("default", "hello");

    public static Topology Topology() => new()
    {
        Metadata = new ObjectMeta { Name = "portals" },
        Spec = new TopologySpec
        {
            Sites =
            [
                new TopologySite { Name = "a", Tier = SiteTiers.Cloud },
                new TopologySite { Name = "r", Parent = "a", Tier = SiteTiers.Region },
                new TopologySite { Name = "e1", Parent = "r", Tier = SiteTiers.Edge },
                new TopologySite { Name = "e2", Parent = "r", Tier = SiteTiers.Edge },
            ],
        },
    };

    /// <summary>
    /// A tree whose parents mark a child offline only after 10 s without a heartbeat (50 missed intervals of 200 ms). The
    /// default of 3 (600 ms) is missed now and then when both cores are busy (the test projects run beside publishes),
    /// and a backend's site seen offline for that moment turns a call into a 503. Only a test about noticing a cut needs
    /// the short limit: it starts the tree with <c>new TreeHostOptions()</c>.
    /// </summary>
    public static readonly TreeHostOptions Steady = new() { MissedHeartbeats = 50 };

    /// <summary>The <see cref="Steady"/> tree, linked, with hello deployed at <paramref name="helloAt"/> and every site knowing it is served there.</summary>
    public static Task<TreeHost> StartAsync(params string[] helloAt) => StartAsync(Steady, helloAt);

    /// <summary>The tree with <paramref name="options"/>, linked, with hello deployed at <paramref name="helloAt"/> and every site knowing it is served there.</summary>
    public static async Task<TreeHost> StartAsync(TreeHostOptions options, params string[] helloAt)
    {
        var tree = await TreeHost.StartAsync(Topology(), options);
        try
        {
            await tree.WaitConnectedAsync();
            if (helloAt.Length > 0)
            {
                await DeployHelloAsync(tree, "hello-at-" + string.Join("-", helloAt), helloAt);
                foreach (var at in tree.Sites.Keys)
                {
                    await Poll.UntilAsync(() => helloAt.All(serving => Shows(tree[at], tree[serving], healthy: true)),
                        $"{at} to know hello is served at {string.Join(", ", helloAt)}", TimeSpan.FromSeconds(20));
                }
            }

            return tree;
        }
        catch
        {
            await tree.DisposeAsync();
            throw;
        }
    }

    public static IServiceMap Map(TreeSite site) => site.Node.Services.GetRequiredService<IServiceMap>();

    /// <summary>Puts hello.wasm at the root and a mission deploying it at <paramref name="sites"/>; waits until it is Active there.</summary>
    public static Task DeployHelloAsync(TreeHost tree, string mission, params string[] sites) =>
        DeployFunctionAsync(tree, mission, "hello", "hello.wasm", "", sites);

    /// <summary>
    /// Puts the guest <paramref name="guest"/> at the root and a mission deploying it as Function <paramref name="name"/> at
    /// <paramref name="sites"/> (<paramref name="extraSpec"/>: more of its flow-style spec, e.g. <c>, abi: raw</c>); waits until it is Active there
    /// and the Function is Ready at each of them (Active says only that the content was delivered: the module loads after).
    /// </summary>
    public static async Task DeployFunctionAsync(TreeHost tree, string mission, string name, string guest, string extraSpec, params string[] sites)
    {
        var digest = await PutGuestAsync(tree["a"], guest);
        await TreeHost.ApplyAsync(tree["a"], "missions", mission, $$"""
            apiVersion: fornax.io/v1
            kind: Mission
            metadata: {name: {{mission}}}
            spec:
              placement: {sites: [{{string.Join(", ", sites)}}]}
              content:
                - apiVersion: fornax.io/v1
                  kind: Function
                  metadata: {name: {{name}}}
                  spec: {module: "{{digest}}"{{extraSpec}}}
            """);
        await Poll.UntilAsync(async () =>
        {
            var states = await TreeHost.StatesAsync(tree["a"], mission);
            return sites.All(s => states.GetValueOrDefault(tree[s].Path) == MissionStates.Active);
        }, $"mission {mission} to be Active at {string.Join(", ", sites)}", TimeSpan.FromSeconds(30));
        foreach (var site in sites)
        {
            await Poll.UntilAsync(async () =>
            {
                var function = await TreeHost.GetAsync(tree[site], "functions", name);
                return function?["status"]?["phase"]?.GetValue<string>() == "Ready";
            }, $"function {name} to be Ready at {site}", TimeSpan.FromSeconds(30));
        }
    }

    /// <summary>Stores the guest module <paramref name="guest"/> as a blob at <paramref name="site"/>; returns its digest.</summary>
    public static async Task<string> PutGuestAsync(TreeSite site, string guest)
    {
        var module = await File.ReadAllBytesAsync(Path.Combine(AppContext.BaseDirectory, "guests", guest));
        var digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(module));
        using var upload = new ByteArrayContent(module);
        upload.Headers.ContentType = new MediaTypeHeaderValue("application/wasm");
        (await site.Http.PutAsync($"/blobs/{digest}", upload)).EnsureSuccessStatusCode();
        return digest;
    }

    /// <summary>Whether <paramref name="at"/>'s map shows <paramref name="serving"/> serving hello with this health.</summary>
    public static bool Shows(TreeSite at, TreeSite serving, bool healthy) =>
        Map(at).SitesServing(Hello).Any(s => s.SitePath == serving.Path && s.Healthy == healthy && s.PortalAddress.Length > 0);

    /// <summary>What <paramref name="at"/>'s map holds, for a timeout's message.</summary>
    public static string Describe(TreeHost tree, string at) =>
        string.Join("; ", Map(tree[at]).ChangesSince(0).Announced.Select(a => $"{a.SitePath}@{a.PortalAddress}: {string.Join(",", a.Services)}"))
        + " health: " + string.Join(",", Map(tree[at]).ChangesSince(0).HealthChanged.Select(h => $"{h.Key}={h.Value}"))
        + $" (uplink connected: {tree[at].Node.Links.Uplink?.IsConnected})";

    /// <summary>A request to <paramref name="site"/>'s ingress.</summary>
    public static async Task<HttpResponseMessage> CallAsync(TreeSite site, string path)
    {
        using var ingress = new HttpClient { BaseAddress = new Uri(site.Node.Endpoints.Ingress) };
        return await ingress.GetAsync(path);
    }

    /// <summary>The sites a response says it passed.</summary>
    public static string Route(HttpResponseMessage response) =>
        string.Join(", ", response.Headers.GetValues("Fornax-Route"));

    /// <summary>A Service <paramref name="name"/> whose backend is 127.0.0.1:<paramref name="port"/> at e2; waits until e1 knows it.</summary>
    public static async Task ServeAddressAtE2Async(TreeHost tree, string name, int port)
    {
        await TreeHost.ApplyAsync(tree["e2"], "services", name,
            $"apiVersion: fornax.io/v1\nkind: Service\nmetadata: {{name: {name}}}\nspec:\n  backends:\n    - {{site: e2, address: \"127.0.0.1:{port}\"}}\n");
        await Poll.UntilAsync(() => Map(tree["e1"]).SitesServing(new("default", name)).Count == 1, $"e1 to know e2 serves {name}", TimeSpan.FromSeconds(20));
    }
}
