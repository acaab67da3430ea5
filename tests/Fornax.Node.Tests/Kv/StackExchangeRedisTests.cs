using System.Text.Json.Nodes;
using System.Net.Http.Json;
using StackExchange.Redis;

namespace Fornax.Node.Tests.Kv;

/// <summary>StackExchange.Redis against a real site's RESP port.</summary>
public sealed class StackExchangeRedisTests : IAsyncLifetime
{
    private RespSite _site = null!;
    private ConnectionMultiplexer _redis = null!;

    public async Task InitializeAsync()
    {
        _site = await RespSite.StartAsync();
        _redis = await _site.ConnectAsync();
    }

    public async Task DisposeAsync()
    {
        await _redis.DisposeAsync();
        await _site.DisposeAsync();
    }

    [Fact]
    public async Task Site_AdvertisesItsRespPort_InStatusAndApiSite()
    {
        var info = await _site.Site.Http.GetFromJsonAsync<JsonObject>("/api/site");
        var self = await _site.Site.GetAsync("sites", "solo");

        Assert.Equal($"redis://127.0.0.1:{_site.Port}", info!["endpoints"]!["resp"]!.GetValue<string>());
        Assert.Equal($"redis://127.0.0.1:{_site.Port}", self!["status"]!["endpoints"]!["resp"]!.GetValue<string>());
    }

    [Fact]
    public async Task Strings_AndCounters()
    {
        var db = _redis.GetDatabase();

        Assert.True(await db.StringSetAsync("greeting", "hello"));
        Assert.False(await db.StringSetAsync("greeting", "again", when: When.NotExists));
        Assert.Equal(6, await db.StringIncrementAsync("hits", 6));
        Assert.Equal(5, await db.StringDecrementAsync("hits"));
        Assert.Equal(7.5, await db.StringIncrementAsync("ratio", 7.5));
        Assert.Equal(11, await db.StringAppendAsync("greeting", " world"));
        var values = await db.StringGetAsync(["greeting", "hits", "missing"]);

        Assert.Equal(["hello world", "5", RedisValue.Null], values);
        Assert.Equal("hello", (string?)await db.StringGetRangeAsync("greeting", 0, 4));
        Assert.Equal("hello world", (string?)await db.StringGetDeleteAsync("greeting"));
        Assert.False(await db.KeyExistsAsync("greeting"));
    }

    [Fact]
    public async Task Expiry()
    {
        var db = _redis.GetDatabase();

        await db.StringSetAsync("session", "x", TimeSpan.FromMinutes(10));
        var ttl = await db.KeyTimeToLiveAsync("session");
        Assert.InRange(ttl!.Value, TimeSpan.FromMinutes(9), TimeSpan.FromMinutes(10));
        Assert.True(await db.KeyPersistAsync("session"));
        Assert.Null(await db.KeyTimeToLiveAsync("session"));
        Assert.True(await db.KeyExpireAsync("session", DateTime.UtcNow.AddSeconds(-1)));
        Assert.False(await db.KeyExistsAsync("session"));
    }

    [Fact]
    public async Task Sets()
    {
        var db = _redis.GetDatabase();

        Assert.Equal(3, await db.SetAddAsync("a", ["x", "y", "z"]));
        Assert.Equal(2, await db.SetAddAsync("b", ["y", "w"]));
        Assert.True(await db.SetContainsAsync("a", "x"));
        Assert.Equal(["x", "y", "z"], (await db.SetMembersAsync("a")).Select(v => (string)v!).Order());
        Assert.Equal(["y"], (await db.SetCombineAsync(SetOperation.Intersect, "a", "b")).Select(v => (string)v!));
        Assert.Equal(4, await db.SetCombineAndStoreAsync(SetOperation.Union, "u", "a", "b"));
        Assert.True(await db.SetRemoveAsync("a", "x"));
        Assert.Equal(2, await db.SetLengthAsync("a"));
        Assert.Equal(RedisType.Set, await db.KeyTypeAsync("a"));
    }

    [Fact]
    public async Task Hashes()
    {
        var db = _redis.GetDatabase();

        await db.HashSetAsync("cart:1", [new("apples", 3), new("pears", 1)]);
        Assert.Equal(5, await db.HashIncrementAsync("cart:1", "apples", 2));
        Assert.Equal("1", (string?)await db.HashGetAsync("cart:1", "pears"));
        Assert.True(await db.HashDeleteAsync("cart:1", "pears"));
        var all = await db.HashGetAllAsync("cart:1");

        Assert.Equal([new HashEntry("apples", 5)], all);
        Assert.Equal(1, await db.HashLengthAsync("cart:1"));
        var scanned = db.HashScanAsync("cart:1", "app*");
        Assert.Equal("apples", (string?)(await scanned.SingleAsync()).Name);
    }

    [Fact]
    public async Task MultiExec_AppliesEveryCommandAtOnce()
    {
        var db = _redis.GetDatabase();
        var tx = db.CreateTransaction();
        var set = tx.StringSetAsync("t:a", "1");
        var incr = tx.StringIncrementAsync("t:n", 10);
        var add = tx.SetAddAsync("t:s", "m");

        Assert.True(await tx.ExecuteAsync());
        Assert.True(await set);
        Assert.Equal(10, await incr);
        Assert.True(await add);
    }

    [Fact]
#pragma warning disable SER301 // the point is WATCH/MULTI/EXEC as Redis 7 clients send it, not Redis 8.4's conditional SET
    public async Task Watch_ConditionFails_WhenTheValueChanged()
    {
        var db = _redis.GetDatabase();
        await db.StringSetAsync("w:balance", "100");

        var tx = db.CreateTransaction();
        tx.AddCondition(Condition.StringEqual("w:balance", "90"));
        _ = tx.StringSetAsync("w:balance", "0");
        var second = db.CreateTransaction();
        second.AddCondition(Condition.StringEqual("w:balance", "100"));
        _ = second.StringIncrementAsync("w:balance", -10);

        Assert.False(await tx.ExecuteAsync());
        Assert.True(await second.ExecuteAsync());
        Assert.Equal("90", (string?)await db.StringGetAsync("w:balance"));
    }
#pragma warning restore SER301

    [Fact]
    public async Task Server_PingInfoDbSizeFlush()
    {
        var db = _redis.GetDatabase();
        var server = _redis.GetServer(_site.EndPoint);
        await db.StringSetAsync("one", "1");

        Assert.True((await db.PingAsync()) < TimeSpan.FromSeconds(10));
        Assert.Equal(1, await server.DatabaseSizeAsync());
        Assert.Contains(await server.InfoAsync("keyspace"), g => g.Any(kv => kv.Key == "db0" && kv.Value.StartsWith("keys=1,", StringComparison.Ordinal)));
        await server.FlushDatabaseAsync();
        Assert.Equal(0, await server.DatabaseSizeAsync());
    }

    [Fact]
    public async Task Server_CommandStatsErrorStatsAndSlowlog_ReadByTheClientsOwnParsers()
    {
        var db = _redis.GetDatabase();
        var server = _redis.GetServer(_site.EndPoint);
        server.ConfigSet("slowlog-log-slower-than", 0);
        await db.StringSetAsync("k", "v");
        await Assert.ThrowsAsync<RedisServerException>(() => db.SetAddAsync("k", "m"));

        var commands = (await server.InfoAsync("commandstats")).Single().ToDictionary(kv => kv.Key, kv => kv.Value);
        Assert.StartsWith("calls=1,", commands["cmdstat_set"], StringComparison.Ordinal);
        Assert.EndsWith(",rejected_calls=0,failed_calls=1", commands["cmdstat_sadd"], StringComparison.Ordinal);
        Assert.Contains(await server.InfoAsync("errorstats"), g => g.Any(kv => kv.Key == "errorstat_WRONGTYPE" && kv.Value == "count=1"));
        var slow = await server.SlowlogGetAsync(-1);
        Assert.Contains(slow, trace => trace.Arguments.Select(a => (string?)a).SequenceEqual(["SADD", "k", "m"]));
        Assert.Equal(Enumerable.Range(0, slow.Length).Select(i => (long)(slow.Length - 1 - i)), slow.Select(t => t.UniqueId)); // newest first
        server.ConfigSet("slowlog-log-slower-than", 10000);
    }

    [Fact]
    public async Task PubSub_DeliversToChannelAndPatternSubscribers_OverTheSitesSockets()
    {
        var subscriber = _redis.GetSubscriber();
        var messages = System.Threading.Channels.Channel.CreateUnbounded<string>();
        await subscriber.SubscribeAsync(RedisChannel.Literal("news"), (channel, message) => messages.Writer.TryWrite($"{channel}: {message}"));
        await subscriber.SubscribeAsync(RedisChannel.Pattern("alerts.*"), (channel, message) => messages.Writer.TryWrite($"{channel}: {message}"));
        await using var publisher = await _site.ConnectAsync();

        Assert.Equal(1, await publisher.GetSubscriber().PublishAsync(RedisChannel.Literal("news"), "hello"));
        Assert.Equal(1, await publisher.GetSubscriber().PublishAsync(RedisChannel.Literal("alerts.disk"), "full"));
        Assert.Equal(0, await publisher.GetSubscriber().PublishAsync(RedisChannel.Literal("elsewhere"), "x"));

        // The client runs handlers concurrently (no order across channels): the two messages, in either order.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        string[] received = [await messages.Reader.ReadAsync(timeout.Token), await messages.Reader.ReadAsync(timeout.Token)];
        Assert.Equal(["alerts.disk: full", "news: hello"], received.Order(StringComparer.Ordinal));
        await subscriber.UnsubscribeAllAsync();
        Assert.Equal(0, await publisher.GetSubscriber().PublishAsync(RedisChannel.Literal("news"), "gone"));
    }

    [Fact]
    public async Task Resp3Client_Works()
    {
        await using var resp3 = await _site.ConnectAsync(o => o.Protocol = RedisProtocol.Resp3);
        var db = resp3.GetDatabase();

        await db.HashSetAsync("r3", "f", "v");

        Assert.Equal(RedisProtocol.Resp3, resp3.GetServer(_site.EndPoint).Protocol);
        Assert.Equal([new HashEntry("f", "v")], await db.HashGetAllAsync("r3"));
        Assert.Null((string?)await db.StringGetAsync("nothing"));
    }
}
