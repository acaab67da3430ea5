using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Fornax.Store;
using Fornax.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Fornax.Node.Tests;

public sealed class MissionTests
{
    private const string Delivering = """
        apiVersion: fornax.io/v1
        kind: Mission
        metadata: {name: welcome}
        spec:
          content:
            - apiVersion: fornax.io/v1
              kind: ConfigMap
              metadata: {name: welcome-note}
              data: {message: hello}
        """;

    [Fact]
    public async Task Mission_AtItsOwnSite_DeliversContentAndReportsActive()
    {
        await using var site = await TestSite.StartAsync();

        await site.PutYamlAsync("missions", "welcome", Delivering);

        await WaitForStateAsync(site, "welcome", "Active");
        var delivered = await site.GetAsync("configmaps", "welcome-note");
        Assert.Equal("hello", delivered!["data"]!["message"]!.GetValue<string>());
        Assert.Equal("default/welcome", delivered["metadata"]!["annotations"]!["fornax.io/mission"]!.GetValue<string>());
    }

    [Fact]
    public async Task Mission_NotSelectingTheSite_ReportsNotMatchAndDeliversNothing()
    {
        await using var site = await TestSite.StartAsync();

        await site.PutYamlAsync("missions", "welcome", Delivering.Replace("spec:\n", "spec:\n  placement: {selector: {matchLabels: {fornax.io/tier: edge}}}\n", StringComparison.Ordinal));

        await WaitForStateAsync(site, "welcome", "not match");
        Assert.Null(await site.GetAsync("configmaps", "welcome-note"));
    }

    [Fact]
    public async Task Mission_DeliveredObjectDeletedInTheStore_IsRestored()
    {
        await using var site = await TestSite.StartAsync();
        await site.PutYamlAsync("missions", "welcome", Delivering);
        await WaitForStateAsync(site, "welcome", "Active");

        // Not through the API, which refuses it (below): straight in the store.
        await site.Node.Services.GetRequiredService<IObjectStore>().DeleteAsync(new ObjectKey("ConfigMap", "default", "welcome-note"));

        await Poll.UntilAsync(async () => await site.GetAsync("configmaps", "welcome-note") is not null, "the deleted object to come back");
    }

    [Theory]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    public async Task DeliveredObject_ChangedOrDeletedThroughTheApi_Refused409NamingTheMission(string verb)
    {
        await using var site = await TestSite.StartAsync();
        await site.PutYamlAsync("missions", "welcome", Delivering);
        await WaitForStateAsync(site, "welcome", "Active");
        var before = await site.GetAsync("configmaps", "welcome-note");

        // The same name, without the mission's annotation: before, this replaced the content and the mission stayed Active.
        using var response = verb == "PUT"
            ? await site.PutYamlAsync("configmaps", "welcome-note", "apiVersion: fornax.io/v1\nkind: ConfigMap\nmetadata: {name: welcome-note}\ndata: {message: changed}\n")
            : await site.Http.DeleteAsync(TestSite.ObjectsPath("configmaps", "welcome-note"));

        Assert.Equal(System.Net.HttpStatusCode.Conflict, response.StatusCode);
        var status = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal("Status", status!["kind"]!.GetValue<string>());
        var message = status["message"]!.GetValue<string>();
        Assert.Contains("delivered by mission \"welcome\"", message, StringComparison.Ordinal);
        Assert.Contains("at this site", message, StringComparison.Ordinal);
        var after = await site.GetAsync("configmaps", "welcome-note");
        Assert.Equal(before!.ToJsonString(), after!.ToJsonString());
        Assert.Equal("Active", (await site.Http.GetFromJsonAsync<JsonObject>(TestSite.ObjectsPath("missions", "welcome")))!["status"]!["state"]!["solo"]!.GetValue<string>());
    }

    [Fact]
    public async Task DeliveredObject_RewrittenInTheStoreWithoutItsAnnotation_IsPutBack()
    {
        await using var site = await TestSite.StartAsync();
        await site.PutYamlAsync("missions", "welcome", Delivering);
        await WaitForStateAsync(site, "welcome", "Active");
        var store = site.Node.Services.GetRequiredService<IObjectStore>();

        await store.ApplyAsync(JsonNode.Parse("""{"apiVersion":"fornax.io/v1","kind":"ConfigMap","metadata":{"name":"welcome-note","namespace":"default"},"data":{"message":"changed"}}""")!.AsObject());

        await Poll.UntilAsync(async () => (await site.GetAsync("configmaps", "welcome-note"))?["data"]?["message"]?.GetValue<string>() == "hello",
            "the mission's content to be put back");
        var restored = await site.GetAsync("configmaps", "welcome-note");
        Assert.Equal("default/welcome", restored!["metadata"]!["annotations"]!["fornax.io/mission"]!.GetValue<string>());
    }

    [Fact]
    public async Task DeliveredObject_DataRewrittenInTheStoreKeepingItsAnnotation_IsPutBack_AStatusWriteIsKept()
    {
        await using var site = await TestSite.StartAsync();
        await site.PutYamlAsync("missions", "welcome", Delivering);
        await WaitForStateAsync(site, "welcome", "Active");
        var store = site.Node.Services.GetRequiredService<IObjectStore>();
        var key = new ObjectKey("ConfigMap", "default", "welcome-note");

        // A status written by a controller changes nothing the mission delivered: it stays.
        await store.UpdateStatusAsync(key, JsonNode.Parse("""{"seen":1}""")!.AsObject(), null, WriteDurability.Durable);
        // The data rewritten, the annotation kept: the mission puts its content back (the status stays, as any write keeps it).
        await store.ApplyAsync(JsonNode.Parse("""{"apiVersion":"fornax.io/v1","kind":"ConfigMap","metadata":{"name":"welcome-note","namespace":"default","annotations":{"fornax.io/mission":"default/welcome"}},"data":{"message":"changed"}}""")!.AsObject());

        await Poll.UntilAsync(async () => (await site.GetAsync("configmaps", "welcome-note"))?["data"]?["message"]?.GetValue<string>() == "hello",
            "the mission's content to be put back");
        Assert.Equal(1, (await site.GetAsync("configmaps", "welcome-note"))!["status"]!["seen"]!.GetValue<int>());
    }

    [Fact]
    public async Task Mission_Updated_ReplacesContentAndDeleted_RemovesIt()
    {
        await using var site = await TestSite.StartAsync();
        await site.PutYamlAsync("missions", "welcome", Delivering);
        await WaitForStateAsync(site, "welcome", "Active");

        await site.PutYamlAsync("missions", "welcome", Delivering.Replace("welcome-note", "other-note", StringComparison.Ordinal));
        await Poll.UntilAsync(async () => await site.GetAsync("configmaps", "other-note") is not null && await site.GetAsync("configmaps", "welcome-note") is null, "the content to be replaced");

        await site.Http.DeleteAsync(TestSite.ObjectsPath("missions", "welcome"));
        await Poll.UntilAsync(async () => await site.GetAsync("configmaps", "other-note") is null, "the content to be removed with its mission");
    }

    [Fact]
    public async Task CommandMission_WhereCommandsAreNotAllowed_FailsSayingWhy()
    {
        await using var site = await TestSite.StartAsync();

        await site.PutYamlAsync("missions", "cmd", Command("touch ran"));

        await WaitForStateAsync(site, "cmd", "Failed: commands are not allowed at this site (allowCommands: false)");
        Assert.False(File.Exists(Path.Combine(site.DataDirectory, "ran")));
    }

    [Fact]
    public async Task CommandMission_WhereAllowed_RunsOnceAndReverseRunsOnDelete()
    {
        await using var site = await TestSite.StartAsync(o => o with { AllowCommands = true });

        await site.PutYamlAsync("missions", "cmd", Command("echo x >> ran", reverse: "touch reversed"));

        await WaitForStateAsync(site, "cmd", "Active");
        Assert.Equal("x\n", await File.ReadAllTextAsync(Path.Combine(site.DataDirectory, "ran")));
        await site.Http.DeleteAsync(TestSite.ObjectsPath("missions", "cmd"));
        await Poll.UntilAsync(() => Task.FromResult(File.Exists(Path.Combine(site.DataDirectory, "reversed"))), "the reverse command");
        Assert.Equal("x\n", await File.ReadAllTextAsync(Path.Combine(site.DataDirectory, "ran")));
    }

    [Fact]
    public async Task CommandMission_FailingOrSlowCommand_ReportsExitCodeOrTimeout()
    {
        await using var site = await TestSite.StartAsync(o => o with { AllowCommands = true });

        await site.PutYamlAsync("missions", "bad", Command("echo broken >&2; exit 3").Replace("name: cmd", "name: bad", StringComparison.Ordinal));
        await site.PutYamlAsync("missions", "slow", Command("sleep 30", timeout: "200ms").Replace("name: cmd", "name: slow", StringComparison.Ordinal));

        await WaitForStateAsync(site, "bad", "Failed: command exited with 3: broken");
        await WaitForStateAsync(site, "slow", "Failed: command timed out after 200ms");
    }

    [Fact]
    public async Task Mission_DeletedAfterRestart_RemovesContentDeliveredBeforeIt()
    {
        var first = await TestSite.StartAsync();
        await first.PutYamlAsync("missions", "welcome", Delivering);
        await WaitForStateAsync(first, "welcome", "Active");
        first.Http.Dispose();
        await first.Node.DisposeAsync(); // not first.DisposeAsync(): that deletes the data directory

        // The restarted controller knows the content from its first list, not from having delivered it.
        await using var site = await TestSite.StartAsync(dataDirectory: first.DataDirectory);
        await site.PutYamlAsync("configmaps", "unrelated", "apiVersion: fornax.io/v1\nkind: ConfigMap\nmetadata: {name: unrelated}\ndata: {a: b}\n");
        await site.Http.DeleteAsync(TestSite.ObjectsPath("missions", "welcome"));

        await Poll.UntilAsync(async () => await site.GetAsync("configmaps", "welcome-note") is null, "the content to be removed with its mission");
        Assert.NotNull(await site.GetAsync("configmaps", "unrelated"));
    }

    [Fact]
    public async Task Mission_OwnStateWithoutCommand_WrittenWithoutSync()
    {
        await using var site = await TestSite.StartAsync();
        var store = site.Node.Services.GetRequiredService<IObjectStore>();
        var before = store.CommitCounts;

        await site.PutYamlAsync("missions", "welcome", Delivering);
        await WaitForStateAsync(site, "welcome", "Active");

        // The mission and its delivered content fsync; this site's state (derived: written again by the reconcile at
        // every start) does not.
        Assert.True(store.CommitCounts.Commits >= before.Commits + 3, $"{store.CommitCounts} after {before}");
        Assert.Equal(before.SyncedCommits + 2, store.CommitCounts.SyncedCommits);
    }

    [Fact]
    public async Task CommandMission_OwnState_Synced()
    {
        await using var site = await TestSite.StartAsync(o => o with { AllowCommands = true });
        var store = site.Node.Services.GetRequiredService<IObjectStore>();
        var before = store.CommitCounts;

        await site.PutYamlAsync("missions", "cmd", Command("true"));
        await WaitForStateAsync(site, "cmd", "Active");

        // The state records that the command ran for this generation: lost, the command would run again.
        Assert.Equal(before.SyncedCommits + 2, store.CommitCounts.SyncedCommits);
    }

    private static string Command(string command, string? reverse = null, string timeout = "10s") => $"""
        apiVersion: fornax.io/v1
        kind: Mission
        metadata: {"{"}name: cmd{"}"}
        spec:
          command:
            command: "{command}"
            timeout: {timeout}
        {(reverse is null ? "" : $"    reverseCommand: \"{reverse}\"\n")}
        """;

    private static Task WaitForStateAsync(TestSite site, string mission, string state) =>
        Poll.UntilAsync(
            async () =>
            {
                var m = await site.Http.GetFromJsonAsync<JsonObject>(TestSite.ObjectsPath("missions", mission));
                return m?["status"]?["state"]?["solo"]?.GetValue<string>() == state;
            },
            $"mission {mission} to be \"{state}\" at solo");
}
