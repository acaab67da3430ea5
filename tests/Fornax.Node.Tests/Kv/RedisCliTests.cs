using Fornax.Hierarchy.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace Fornax.Node.Tests.Kv;

/// <summary>The walk-through of the README and docs/kv.md, typed with redis-cli against a real site.</summary>
public sealed class RedisCliTests
{
    [Fact]
    public async Task WalkThrough_AsTheUserGuideShowsIt()
    {
        await using var site = await RespSite.StartAsync();
        var script = new (string[] Command, string Output)[]
        {
            (["PING"], "PONG"),
            (["SET", "greeting", "hello"], "OK"),
            (["GET", "greeting"], "hello"),
            (["INCRBY", "visits", "5"], "5"),
            (["INCR", "visits"], "6"),
            (["SADD", "tags", "edge", "kv"], "2"),
            (["SISMEMBER", "tags", "edge"], "1"),
            (["HSET", "cart:42", "apples", "3", "pears", "1"], "2"),
            (["HINCRBY", "cart:42", "apples", "2"], "5"),
            (["HGET", "cart:42", "apples"], "5"),
            (["EXPIRE", "greeting", "60"], "1"),
            (["TTL", "greeting"], "60"),
            (["TYPE", "cart:42"], "hash"),
            (["DBSIZE"], "4"),
            (["GET", "tags"], "WRONGTYPE Operation against a key holding the wrong kind of value"),
            (["LPUSH", "queue", "a"], "ERR unsupported command 'lpush': the Fornax KV store has strings, counters, hashes and sets; lists are not supported"),
            (["FOO", "bar"], "ERR unknown command 'FOO', with args beginning with: 'bar' "),
            (["DEL", "greeting", "visits"], "2"),
        };

        foreach (var (command, output) in script)
        {
            Assert.Equal((string.Join(' ', command), output), (string.Join(' ', command), await RedisCli.RunAsync(site.Port, null, command)));
        }
    }

    [Fact]
    public async Task MemKeys_SumsEachKeysMemoryUsage_AndNamesTheLargest()
    {
        await using var site = await RespSite.StartAsync();
        await RedisCli.RunAsync(site.Port, null, "SET", "photo:1", new string('x', 5000));
        await RedisCli.RunAsync(site.Port, null, "SET", "greeting", "hello");
        await RedisCli.RunAsync(site.Port, null, "SADD", "tags", "edge", "kv");
        var photo = long.Parse(await RedisCli.RunAsync(site.Port, null, "MEMORY", "USAGE", "photo:1"), System.Globalization.CultureInfo.InvariantCulture);
        var greeting = long.Parse(await RedisCli.RunAsync(site.Port, null, "MEMORY", "USAGE", "greeting"), System.Globalization.CultureInfo.InvariantCulture);

        var report = await RedisCli.RunAsync(site.Port, null, "--memkeys");

        Assert.True(photo > 5000 && greeting < 1000, $"{photo} {greeting}");
        Assert.Contains($"Biggest string found '\"photo:1\"' has {photo} bytes", report, StringComparison.Ordinal);
        Assert.Contains($"2 strings with {photo + greeting} bytes", report, StringComparison.Ordinal);
        Assert.Matches(@"1 sets with [1-9][0-9]* bytes", report);
    }

    [Fact]
    public async Task Save_SyncsTheSitesStore_AndLastSaveMoves()
    {
        await using var site = await RespSite.StartAsync();
        await RedisCli.RunAsync(site.Port, null, "SET", "greeting", "hello");
        var before = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        Assert.Equal("OK", await RedisCli.RunAsync(site.Port, null, "SAVE"));
        var last = long.Parse(await RedisCli.RunAsync(site.Port, null, "LASTSAVE"), System.Globalization.CultureInfo.InvariantCulture);

        Assert.InRange(last, before - 1, DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        Assert.Contains($"rdb_last_save_time:{last}", await RedisCli.RunAsync(site.Port, null, "INFO", "persistence"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resp3_HelloAndMaps()
    {
        await using var site = await RespSite.StartAsync();
        await RedisCli.RunAsync(site.Port, null, "HSET", "h", "f", "v");

        var map = await RedisCli.RunAsync(site.Port, null, "-3", "--no-raw", "HGETALL", "h");

        Assert.Equal("1# \"f\" => \"v\"", map);
    }

    [Fact]
    public async Task Auth_WithASiteUserToken_FromLoopback_IsChecked()
    {
        await using var site = await RespSite.StartAsync();
        var token = await site.Site.Node.Services.GetRequiredService<JoinTokenIssuer>().CreateUserTokenAsync();

        var ok = await RedisCli.RunAsync(site.Port, token.Token, "SET", "k", "v");
        var wrong = await RedisCli.RunAsync(site.Port, "not-a-token", "GET", "k");

        Assert.Equal("OK", ok);
        Assert.Contains("WRONGPASS invalid username-password pair or user is disabled.", wrong, StringComparison.Ordinal);
    }
}
