using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Fornax.Store;
using Fornax.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Fornax.Node.Tests;

/// <summary>
/// The mission controller keeps reacting: a watch that falls behind (its buffer overflows and the history is compacted
/// past it) lists again, and commands (minutes long, reverse ones too) run on their own queue beside the reconciles.
/// </summary>
public sealed class MissionControllerQueueTests
{
    private static string Delivering(string name) => $$"""
        apiVersion: fornax.io/v1
        kind: Mission
        metadata: {name: {{name}}}
        spec:
          content:
            - apiVersion: fornax.io/v1
              kind: ConfigMap
              metadata: {name: {{name}}-note}
              data: {message: hello}
        """;

    private static string Command(string name, string command, string? reverse = null) => $$"""
        apiVersion: fornax.io/v1
        kind: Mission
        metadata: {name: {{name}}}
        spec:
          command:
            command: "{{command}}"
            timeout: 10m
        {{(reverse is null ? "" : $"    reverseCommand: \"{reverse}\"\n")}}
        """;

    private static async Task<string?> StateAsync(TestSite site, string mission) =>
        (await site.Http.GetFromJsonAsync<JsonObject>(TestSite.ObjectsPath("missions", mission)))?["status"]?["state"]?["solo"]?.GetValue<string>();

    private static Task WaitForStateAsync(TestSite site, string mission, string state) =>
        Poll.UntilAsync(async () => await StateAsync(site, mission) == state, $"mission {mission} to be \"{state}\" at solo");

    private static async Task AssertDeliveredObjectComesBackAsync(TestSite site, string name)
    {
        // Straight in the store: the API refuses to delete what a mission delivered.
        await site.Node.Services.GetRequiredService<IObjectStore>().DeleteAsync(new ObjectKey("ConfigMap", "default", $"{name}-note"));
        await Poll.UntilAsync(async () => await site.GetAsync("configmaps", $"{name}-note") is not null, $"{name}-note to be put back");
    }

    [Fact]
    public async Task WatchFallsBehindCompactedHistory_ControllerListsAgain_AndStillReacts()
    {
        // One event of live buffer and of history: a burst of writes overflows the controller's watch and compacts the
        // history past it, so it must list again to see anything after.
        await using var site = await TestSite.StartAsync(o => o with { ConfigureStore = s => s with { WatchBuffer = 1, WatchHistory = 1 } });
        await Task.WhenAll(Enumerable.Range(0, 200).Select(async i =>
        {
            using var put = await site.PutYamlAsync("configmaps", $"burst-{i}", $"apiVersion: fornax.io/v1\nkind: ConfigMap\nmetadata: {{name: burst-{i}}}\ndata: {{i: \"{i}\"}}\n");
            Assert.True(put.IsSuccessStatusCode, $"{put.StatusCode}");
        }));

        var controller = site.Node.Services.GetRequiredService<Fornax.Node.Missions.MissionController>();
        await Poll.UntilAsync(() => Task.FromResult(controller.Lists >= 2), "the controller's watch to fall behind and list again");
        await site.PutYamlAsync("missions", "after", Delivering("after"));

        await WaitForStateAsync(site, "after", "Active");
        await AssertDeliveredObjectComesBackAsync(site, "after");
    }

    [Fact]
    public async Task LongCommand_DoesNotHoldUpOtherMissions()
    {
        await using var site = await TestSite.StartAsync(o => o with { AllowCommands = true });
        await site.PutYamlAsync("missions", "slow", Command("slow", "sleep 600"));
        await WaitForStateAsync(site, "slow", "Pending");

        await site.PutYamlAsync("missions", "other", Delivering("other"));

        await WaitForStateAsync(site, "other", "Active");
        await AssertDeliveredObjectComesBackAsync(site, "other");
        Assert.Equal("Pending", await StateAsync(site, "slow"));
    }

    [Fact]
    public async Task LongReverseCommand_DoesNotHoldUpTheWatch()
    {
        await using var site = await TestSite.StartAsync(o => o with { AllowCommands = true });
        await site.PutYamlAsync("missions", "leaving", Command("leaving", "true", reverse: "touch reversing; sleep 600"));
        await WaitForStateAsync(site, "leaving", "Active");
        using (var delete = await site.Http.DeleteAsync(TestSite.ObjectsPath("missions", "leaving")))
        {
            Assert.True(delete.IsSuccessStatusCode, $"{delete.StatusCode}");
        }

        await Poll.UntilAsync(() => Task.FromResult(File.Exists(Path.Combine(site.DataDirectory, "reversing"))), "the reverse command to start");
        await site.PutYamlAsync("missions", "other", Delivering("other"));

        await WaitForStateAsync(site, "other", "Active");
        await AssertDeliveredObjectComesBackAsync(site, "other");
    }
}
