using System.Net;
using System.Text;
using Fornax.Kv.Engine;
using Fornax.Node.Hosting;
using Fornax.Node.Locality;
using Fornax.Node.Portal;
using Fornax.Node.Trees;
using Fornax.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Fornax.Node.Tests.Locality;

/// <summary>
/// The read of a key over the link (<c>POST /portal/kv/…</c> on the link port, mutual TLS), sent by edge <c>b</c> with
/// its site certificate to edge <c>a</c>, which holds the keyspace <c>docs</c> (<c>doc:</c>): a good read, an absent
/// key, and every refusal, each naming what is wrong.
/// </summary>
public sealed class RemoteKeyReadTests
{
    private static async Task<(HttpStatusCode Status, string Body, bool Absent)> ReadAsync(TreeHost tree, string path, byte[] body)
    {
        var a = tree["a"];
        var port = a.Node.Services.GetRequiredService<Listeners>().LinkPort;
        using var request = new HttpRequestMessage(HttpMethod.Post, $"https://127.0.0.1:{port}{path}") { Content = new ByteArrayContent(body) };
        using var response = await tree["b"].Node.Services.GetRequiredService<PortalClients>().Peer(a.Path).SendAsync(request, CancellationToken.None);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(), response.Headers.Contains(RemoteKeyReads.AbsentHeader));
    }

    private static byte[] Key(string key, string field = "") => RemoteKeyReads.Body(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(field));

    [Fact]
    [Trait("Category", "Slow")]
    public async Task Read_FromASiteOfTheTree_AnswersHeldKeysAndRefusesEverythingElse()
    {
        await using var tree = await TreeHost.StartAsync(TestTrees.CloudWithTwoEdges());
        await tree.WaitConnectedAsync();
        await TreeHost.ApplyAsync(tree["cloud"], "missions", "docs", TestTrees.KeyspaceMission("docs", "doc:", "a"));
        tree["a"].Node.Services.GetRequiredService<IKvStore>().Execute(0, static (tx, _) =>
        {
            tx.SetString("doc:1"u8, "hello"u8, null, false);
            tx.HashSet("doc:h"u8, "f"u8, "v"u8);
            return 0;
        }, out _);
        await Poll.UntilAsync(async () => (await ReadAsync(tree, "/portal/kv/default/docs/get", Key("doc:1"))).Status == HttpStatusCode.OK,
            "a to hold docs", TimeSpan.FromSeconds(30));

        Assert.Equal((HttpStatusCode.OK, "hello", false), await ReadAsync(tree, "/portal/kv/default/docs/get", Key("doc:1")));
        Assert.Equal((HttpStatusCode.OK, "v", false), await ReadAsync(tree, "/portal/kv/default/docs/hget", Key("doc:h", "f")));
        Assert.Equal((HttpStatusCode.NotFound, "", true), await ReadAsync(tree, "/portal/kv/default/docs/get", Key("doc:none")));

        Assert.Equal((HttpStatusCode.BadRequest, "key \"cart:1\" is outside keyspace default/docs (prefix \"doc:\")\n", false),
            await ReadAsync(tree, "/portal/kv/default/docs/get", Key("cart:1")));
        Assert.Equal((HttpStatusCode.BadRequest, "\"set\" is not a read: one of get, hget, smembers, hgetall\n", false),
            await ReadAsync(tree, "/portal/kv/default/docs/set", Key("doc:1")));
        Assert.Equal((HttpStatusCode.NotFound, "site cloud/a holds no keyspace default/carts\n", false),
            await ReadAsync(tree, "/portal/kv/default/carts/get", Key("doc:1")));
        Assert.Equal((HttpStatusCode.Conflict, "WRONGTYPE Operation against a key holding the wrong kind of value\n", false),
            await ReadAsync(tree, "/portal/kv/default/docs/get", Key("doc:h")));

        // A length past the body's end, and a key over the host API's 4 KiB.
        const string Malformed = "a read is a key of at most 4096 bytes (its length first, 4 bytes little-endian) and a field of at most 4096 bytes\n";
        Assert.Equal((HttpStatusCode.BadRequest, Malformed, false), await ReadAsync(tree, "/portal/kv/default/docs/get", [200, 0, 0, 0, (byte)'d']));
        Assert.Equal((HttpStatusCode.BadRequest, Malformed, false), await ReadAsync(tree, "/portal/kv/default/docs/get", Key("doc:" + new string('x', 4096))));

        // b holds no replica: it refuses, and a's key never reached b.
        var bPort = tree["b"].Node.Services.GetRequiredService<Listeners>().LinkPort;
        using var toB = new HttpRequestMessage(HttpMethod.Post, $"https://127.0.0.1:{bPort}/portal/kv/default/docs/get") { Content = new ByteArrayContent(Key("doc:1")) };
        using var refused = await tree["a"].Node.Services.GetRequiredService<PortalClients>().Peer(tree["b"].Path).SendAsync(toB, CancellationToken.None);
        Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
    }
}
