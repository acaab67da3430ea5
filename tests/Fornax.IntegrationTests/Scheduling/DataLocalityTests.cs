using System.Text;
using System.Text.Json.Nodes;
using Fornax.Kv.Engine;
using Fornax.Node.Trees;
using Fornax.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Fornax.IntegrationTests.Scheduling;

/// <summary>
/// Move the computation or move the data, on a real in-process tree (root <c>a</c>, region <c>r</c>, edges <c>e1</c> and
/// <c>e2</c>): the keyspace <c>docs</c> is placed at <c>e1</c> only, the read-only function <c>reader</c> (one digit: how
/// many reads, then the key, then padding; it answers the value's length) is called at <c>e2</c>.
/// </summary>
public sealed class DataLocalityTests
{
    private const string E1 = "a/r/e1";
    private const string E2 = "a/r/e2";

    private static async Task<TreeHost> StartAsync(string[] readerAt, Func<Fornax.Scheduling.Locality.LocalityOptions, Fornax.Scheduling.Locality.LocalityOptions>? locality = null)
    {
        var tree = await TreeHost.StartAsync(Portal.PortalTree.Topology(), new TreeHostOptions { ConfigureLocality = locality });
        try
        {
            await tree.WaitConnectedAsync();
            await TreeHost.ApplyAsync(tree["a"], "missions", "docs", """
                apiVersion: fornax.io/v1
                kind: Mission
                metadata: {name: docs}
                spec:
                  content:
                    - apiVersion: fornax.io/v1
                      kind: Keyspace
                      metadata: {name: docs}
                      spec: {prefix: "doc:", placement: {sites: [e1]}}
                """);
            await Poll.UntilAsync(async () => await TreeHost.GetAsync(tree["e2"], "keyspaces", "docs") is not null, "the docs keyspace object to reach e2", TimeSpan.FromSeconds(30));
            await Portal.PortalTree.DeployFunctionAsync(tree, "reader", "reader", "reader.wasm", ", abi: raw, state: {keyspaces: [docs], access: read}", readerAt);
            Write(tree["e1"], "doc:small", new byte[100]);
            Write(tree["e1"], "doc:big", new byte[600_000]);
            var map = Portal.PortalTree.Map(tree["e2"]);
            await Poll.UntilAsync(() => map.SitesServing(new("default", "keyspace:docs")).Any(s => s.SitePath == E1 && s.Healthy)
                && readerAt.All(at => map.SitesServing(new("default", "reader")).Any(s => s.SitePath == tree[at].Path && s.Healthy)),
                "e2 to know docs is held at e1 and where reader serves", TimeSpan.FromSeconds(30));
            return tree;
        }
        catch
        {
            await tree.DisposeAsync();
            throw;
        }
    }

    private static IKvStore Store(TreeSite site) => site.Node.Services.GetRequiredService<IKvStore>();

    private static void Write(TreeSite site, string key, byte[] value) =>
        Store(site).Execute((Key: Encoding.UTF8.GetBytes(key), Value: value), static (tx, a) => { tx.SetString(a.Key, a.Value, null, false); return 0; }, out _);

    private static bool Has(TreeSite site, string key)
    {
        Store(site).Execute(Encoding.UTF8.GetBytes(key), static (tx, k) => tx.TryGetString(k, out _), out bool found);
        return found;
    }

    /// <summary>One call of reader at e2: where it ran and the length it read.</summary>
    private static async Task<(string? Site, int Length)> ReadAsync(HttpClient ingress, string key, int reads = 1, int padding = 64 << 10)
    {
        var body = new byte[2 + key.Length + padding];
        body[0] = (byte)('0' + reads);
        Encoding.UTF8.GetBytes(key, body.AsSpan(1));
        body[1 + key.Length] = (byte)'\n';
        using var response = await ingress.PostAsync("/fn/reader", new ByteArrayContent(body));
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.True(response.IsSuccessStatusCode, Encoding.UTF8.GetString(bytes));
        return (response.Headers.TryGetValues("Fornax-Site", out var site) ? site.Single() : null, BitConverter.ToInt32(bytes));
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task DataSizeGrows_SmallValueIsReadOverTheLink_LargeValueSendsTheCallToTheData()
    {
        await using var tree = await StartAsync(["e1", "e2"]);
        using var e2 = SpillTree.Ingress(tree["e2"]);

        // Nothing seen yet: the call goes where the data is, and its answer says what it read.
        Assert.Equal((E1, 100), await ReadAsync(e2, "doc:small"));

        // 100 bytes to read against a 64 KiB request to ship: the data moves, read over the link (e2 has no copy).
        Assert.Equal((E2, 100), await ReadAsync(e2, "doc:small"));
        Assert.False(Has(tree["e2"], "doc:small"));

        // The value grew to 600 KB: read here once more (the sizes seen were small), then the call moves to the data.
        Assert.Equal((E2, 600_000), await ReadAsync(e2, "doc:big"));
        Assert.Equal((E1, 600_000), await ReadAsync(e2, "doc:big"));
        Assert.Equal((E1, 600_000), await ReadAsync(e2, "doc:big"));
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task ReadPattern_HeavyRemoteReadsPromoteAReplica_ThenItIsDroppedOnceUnread()
    {
        await using var tree = await StartAsync(["e2"], o => o with { PromoteAfterReads = 5, PromoteWindow = TimeSpan.FromMinutes(1), DropAfterIdle = TimeSpan.FromSeconds(3) });
        using var e2 = SpillTree.Ingress(tree["e2"]);

        // No site holding docs serves reader: e2 reads over the link, five times.
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal((E2, 100), await ReadAsync(e2, "doc:small", padding: 0));
        }

        // e2 became a replica: the copy arrives, and the root's keyspace says why e2 holds it.
        await Poll.UntilAsync(() => Has(tree["e2"], "doc:small") && Has(tree["e2"], "doc:big"), "docs to reach e2", TimeSpan.FromSeconds(30));
        JsonObject? row = null;
        await Poll.UntilAsync(async () => (row = await SiteRowAsync(tree["a"], E2)) is not null, "the root to show e2 holding docs", TimeSpan.FromSeconds(30));
        Assert.True(row!["replica"]!.GetValue<bool>());
        Assert.StartsWith("promoted: 5 reads over the link within ", row["reason"]!.GetValue<string>());
        Assert.Equal("placement", (await SiteRowAsync(tree["a"], E1))!["reason"]!.GetValue<string>());

        // Reads are local now; once nobody reads for 3 s the copy is dropped (e1 keeps the data).
        Assert.Equal((E2, 600_000), await ReadAsync(e2, "doc:big", padding: 0));
        await Poll.UntilAsync(() => !Has(tree["e2"], "doc:small"), "e2 to drop its unread copy", TimeSpan.FromSeconds(30));
        await Poll.UntilAsync(async () => await SiteRowAsync(tree["a"], E2) is null, "the root to show e2 no longer holding docs", TimeSpan.FromSeconds(30));
        Assert.True(Has(tree["e1"], "doc:small"));

        // Still served, over the link again.
        Assert.Equal((E2, 100), await ReadAsync(e2, "doc:small", padding: 0));
    }

    private static async Task<JsonObject?> SiteRowAsync(TreeSite root, string path)
    {
        var keyspace = await TreeHost.GetAsync(root, "keyspaces", "docs");
        return keyspace?["status"]?["sites"]?[path] as JsonObject;
    }
}
