using Fornax.Testing;
using Fornax.Node.Trees;
using Xunit.Abstractions;

namespace Fornax.IntegrationTests;

/// <summary>Reconnect resync is incremental: bytes on the wire grow with the changes made during a cut, not with the missions held.</summary>
public sealed class ResyncTests(ITestOutputHelper output)
{
    private static string Mission(int i, int version) => $$"""
        apiVersion: fornax.io/v1
        kind: Mission
        metadata: {name: m{{i}}}
        spec:
          content:
            - apiVersion: fornax.io/v1
              kind: ConfigMap
              metadata: {name: c{{i}}}
              data: {version: "{{version}}", padding: "{{new string('x', 400)}}"}
        """;

    /// <summary>Holds <paramref name="objects"/> missions, cuts the link, changes <paramref name="changes"/> of them, heals; returns bytes exchanged from heal to caught up.</summary>
    private async Task<long> ReconnectBytesAsync(int objects, int changes)
    {
        await using var tree = await TreeHost.StartAsync(TreeHost.Chain("p", "q"));
        for (var i = 0; i < objects; i++)
        {
            await TreeHost.ApplyAsync(tree["p"], "missions", $"m{i}", Mission(i, 1));
        }

        await Poll.UntilAsync(async () => (await TreeHost.StatesAsync(tree["p"], $"m{objects - 1}")).GetValueOrDefault("p/q") == "Active"
            && (await tree["q"].Http.GetStringAsync("/apis/fornax.io/v1/namespaces/default/missions")).Split("\"kind\":\"Mission\"").Length - 1 == objects,
            "every mission at q", TimeSpan.FromSeconds(60));

        var link = tree.LinkBetween("p", "q");
        tree.Cut("p", "q");
        await Poll.UntilAsync(async () => (await TreeHost.StatesAsync(tree["p"], "m0")).GetValueOrDefault("p/q") == "cluster offline", "q offline at p");
        for (var i = 0; i < changes; i++)
        {
            await TreeHost.ApplyAsync(tree["p"], "missions", $"m{i}", Mission(i, 2));
        }

        var before = link.BytesUp + link.BytesDown;
        tree.Heal("p", "q");
        await Poll.UntilAsync(async () =>
        {
            for (var i = 0; i < objects; i++)
            {
                var states = await TreeHost.StatesAsync(tree["p"], $"m{i}");
                if (states.GetValueOrDefault("p/q") != "Active")
                {
                    return false;
                }
            }

            var last = await TreeHost.GetAsync(tree["q"], "configmaps", $"c{changes - 1}");
            return last?["data"]?["version"]?.GetValue<string>() == "2";
        }, "q caught up after the heal", TimeSpan.FromSeconds(30), async () =>
        {
            var lines = new List<string>();
            for (var i = 0; i < objects; i++)
            {
                var states = await TreeHost.StatesAsync(tree["p"], $"m{i}");
                lines.Add($"m{i}: " + string.Join(",", states.Select(s => $"{s.Key}={s.Value}")));
            }

            var last = await TreeHost.GetAsync(tree["q"], "configmaps", $"c{changes - 1}");
            return string.Join("; ", lines) + $" q c{changes - 1}={last?["data"]?["version"]} connected={tree["q"].Node.Links.Uplink!.IsConnected}";
        });
        var bytes = link.BytesUp + link.BytesDown - before;
        output.WriteLine($"objects={objects} changes={changes}: {bytes} bytes on reconnect");
        return bytes;
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task ReconnectBytes_GrowWithChanges_NotWithObjects()
    {
        var few = await ReconnectBytesAsync(objects: 5, changes: 2);
        var many = await ReconnectBytesAsync(objects: 50, changes: 2);
        var manyChanges = await ReconnectBytesAsync(objects: 50, changes: 20);

        // Ten times the objects: the same changes cost about the same (TLS handshake, heartbeats and
        // pings vary a little); ten times the changes cost clearly more.
        Assert.True(many < few * 2, $"50 objects cost {many} bytes vs {few} for 5: resync grows with objects");
        Assert.True(manyChanges > many + (18 * 400), $"20 changes cost {manyChanges} bytes vs {many} for 2: changes are not being sent");
    }
}
