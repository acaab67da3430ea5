using Fornax.Testing;
using System.Globalization;
using Fornax.Core.Objects;
using Fornax.Store;
using Fornax.Node.Trees;
using Microsoft.Extensions.DependencyInjection;

namespace Fornax.IntegrationTests;

/// <summary>The <c>Site</c> objects a parent shows for its subtree (what <c>fornax get sites</c> draws).</summary>
public sealed class SiteObjectTests
{
    [Fact]
    [Trait("Category", "Slow")]
    public async Task GetSite_StoredHeartbeatOlder_ApiServesTheNewestHeard()
    {
        // A child's Site is rewritten only every few heartbeats when nothing but its heartbeat time moved; the API
        // must still show the time the parent last heard from it, not the stored one.
        await using var tree = await TreeHost.StartAsync(TreeHost.Chain("a", "b"));
        var store = tree["a"].Node.Services.GetRequiredService<IObjectStore>();
        await Poll.UntilAsync(async () =>
        {
            var stored = await store.GetAsync(new ObjectKey("Site", "default", "b"));
            var served = await TreeHost.GetAsync(tree["a"], "sites", "b");
            return Stamp(stored?.Object["status"]?["lastHeartbeat"]) is { } written
                && Stamp(served?["status"]?["lastHeartbeat"]) is { } shown && shown > written
                && served!["status"]!["healthy"]!.GetValue<bool>();
        }, "a to serve b's newest heartbeat over the stored one", TimeSpan.FromSeconds(20));
    }

    private static DateTimeOffset? Stamp(System.Text.Json.Nodes.JsonNode? node) =>
        node is null ? null : DateTimeOffset.Parse(node.GetValue<string>(), CultureInfo.InvariantCulture);
}
