using Fornax.Testing;
using System.Net;
using System.Text;
using Fornax.Core.Objects;
using Fornax.Node.Trees;

namespace Fornax.IntegrationTests;

/// <summary>
/// A region's own mission and a mission from above with the same name: the region's is never overwritten, the root
/// shows why the region does not run its mission, and the root's goes in once the region's own is gone.
/// </summary>
public sealed class MissionNameConflictTests
{
    private const string Mission = """
        apiVersion: fornax.io/v1
        kind: Mission
        metadata: {name: web}
        spec:
          content:
            - apiVersion: fornax.io/v1
              kind: ConfigMap
              metadata: {name: web-config}
              data: {owner: OWNER}
        """;

    private static async Task<string?> OwnerAsync(TreeSite site) =>
        (await TreeHost.GetAsync(site, "configmaps", "web-config"))?["data"]?["owner"]?.GetValue<string>();

    [Fact]
    [Trait("Category", "Slow")]
    public async Task InheritedMission_NamedLikeSitesOwn_IsHeldBack_ThenAppliedWhenTheOwnIsDeleted()
    {
        await using var tree = await TreeHost.StartAsync(TreeHost.Chain("a", "b", "c"));
        await TreeHost.ApplyAsync(tree["b"], "missions", "web", Mission.Replace("OWNER", "b"));
        await Poll.UntilAsync(async () => await OwnerAsync(tree["c"]) == "b", "b's own mission to reach c");

        await TreeHost.ApplyAsync(tree["a"], "missions", "web", Mission.Replace("OWNER", "a"));

        await Poll.UntilAsync(async () => (await TreeHost.StatesAsync(tree["a"], "web")).GetValueOrDefault("a/b") == MissionStates.Conflict,
            "a to show that b holds its mission back", TimeSpan.FromSeconds(10));
        var own = await TreeHost.GetAsync(tree["b"], "missions", "web");
        Assert.False(own!["metadata"]!["annotations"]?.AsObject().ContainsKey("fornax.io/origin") ?? false, "b's own mission must stay b's");
        Assert.Equal(("b", "b"), (await OwnerAsync(tree["b"]), await OwnerAsync(tree["c"])));
        Assert.Equal(MissionStates.Active, (await TreeHost.StatesAsync(tree["b"], "web"))["a/b/c"]);

        // The held-back mission survives a restart of b: no change from a is needed for it to go in later.
        await tree.RestartAsync("b");
        await Poll.UntilAsync(async () => (await TreeHost.StatesAsync(tree["b"], "web")).GetValueOrDefault("a/b/c") == MissionStates.Active,
            "b back with its own mission", TimeSpan.FromSeconds(10));

        using var delete = await tree["b"].Http.DeleteAsync("/apis/fornax.io/v1/namespaces/default/missions/web");
        Assert.Equal(HttpStatusCode.OK, delete.StatusCode);

        await Poll.UntilAsync(async () =>
        {
            var states = await TreeHost.StatesAsync(tree["a"], "web");
            return states.GetValueOrDefault("a/b") == MissionStates.Active && states.GetValueOrDefault("a/b/c") == MissionStates.Active;
        }, "a's mission to run at b and c once b's own is gone", TimeSpan.FromSeconds(10),
            describe: async () => $"states at a: {string.Join(", ", (await TreeHost.StatesAsync(tree["a"], "web")).Select(s => $"{s.Key}={s.Value}"))}; " +
                                  $"at b: {string.Join(", ", (await TreeHost.StatesAsync(tree["b"], "web")).Select(s => $"{s.Key}={s.Value}"))}");
        await Poll.UntilAsync(async () => await OwnerAsync(tree["c"]) == "a", "a's content at c");
        var inherited = await TreeHost.GetAsync(tree["b"], "missions", "web");
        Assert.Equal("a", inherited!["metadata"]!["annotations"]!["fornax.io/origin"]!.GetValue<string>());
    }

    /// <summary>
    /// The own mission deleted while nothing followed b's store (here: while b was stopped; in a run, between b's start
    /// and its first listing of the store, or while a watch that fell behind lists again): the held-back mission goes in
    /// when b lists its store, with no change from a (a's link resumes where it stopped and sends nothing new).
    /// </summary>
    [Fact]
    [Trait("Category", "Slow")]
    public async Task InheritedMission_HeldBack_OwnDeletedWhileTheSiteWasDown_IsAppliedWhenItStarts()
    {
        await using var tree = await TreeHost.StartAsync(TreeHost.Chain("a", "b"));
        await TreeHost.ApplyAsync(tree["b"], "missions", "web", Mission.Replace("OWNER", "b"));
        await TreeHost.ApplyAsync(tree["a"], "missions", "web", Mission.Replace("OWNER", "a"));
        await Poll.UntilAsync(async () => (await TreeHost.StatesAsync(tree["a"], "web")).GetValueOrDefault("a/b") == MissionStates.Conflict,
            "a to show that b holds its mission back");

        await tree.StopAsync("b");
        await using (var store = Fornax.Store.ObjectStore.Open(new Fornax.Store.ObjectStoreOptions { DataDirectory = tree["b"].DataDirectory }))
        {
            await store.DeleteAsync(new Fornax.Store.ObjectKey("Mission", "default", "web"));
        }

        await tree.StartAgainAsync("b");

        await Poll.UntilAsync(async () => await OwnerAsync(tree["b"]) == "a", "a's mission to go in at b",
            describe: async () => $"owner at b: {await OwnerAsync(tree["b"]) ?? "none"}; states at a: " +
                                  string.Join(", ", (await TreeHost.StatesAsync(tree["a"], "web")).Select(s => $"{s.Key}={s.Value}")));
        await Poll.UntilAsync(async () => (await TreeHost.StatesAsync(tree["a"], "web")).GetValueOrDefault("a/b") == MissionStates.Active,
            "a to see its mission Active at b");
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task InheritedMission_CannotBeChangedOrDeletedThroughTheChildsApi()
    {
        await using var tree = await TreeHost.StartAsync(TreeHost.Chain("a", "b"));
        await TreeHost.ApplyAsync(tree["a"], "missions", "web", Mission.Replace("OWNER", "a"));
        await Poll.UntilAsync(async () => await TreeHost.GetAsync(tree["b"], "missions", "web") is not null, "the mission to reach b");
        // The spec, not the resourceVersion: b's own status writes for the mission (its state) may still come after this.
        var before = (await TreeHost.GetAsync(tree["b"], "missions", "web"))!["spec"]!.ToJsonString();

        using var put = await tree["b"].Http.PutAsync("/apis/fornax.io/v1/namespaces/default/missions/web",
            new StringContent(Mission.Replace("OWNER", "b"), Encoding.UTF8, "application/yaml"));
        using var delete = await tree["b"].Http.DeleteAsync("/apis/fornax.io/v1/namespaces/default/missions/web");
        using var spoof = await tree["b"].Http.PutAsync("/apis/fornax.io/v1/namespaces/default/missions/other",
            new StringContent(Mission.Replace("name: web}", "name: other, annotations: {fornax.io/origin: a}}"), Encoding.UTF8, "application/yaml"));

        Assert.Equal(HttpStatusCode.Conflict, put.StatusCode);
        Assert.Contains("is inherited from a (annotation fornax.io/origin): change it at a", await put.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Conflict, delete.StatusCode);
        Assert.Contains("delete it at a", await delete.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal((HttpStatusCode)422, spoof.StatusCode);
        Assert.Contains("metadata.annotations.fornax.io/origin", await spoof.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        // Nothing changed.
        var after = (await TreeHost.GetAsync(tree["b"], "missions", "web"))!;
        Assert.Equal(before, after["spec"]!.ToJsonString());
        Assert.Equal("a", after["metadata"]!["annotations"]!["fornax.io/origin"]!.GetValue<string>());
        Assert.Null(await TreeHost.GetAsync(tree["b"], "missions", "other"));
    }
}
