using Fornax.Testing;

namespace Fornax.Kv.Tests.Resp;

/// <summary>
/// INFO commandstats and errorstats, SLOWLOG, and the CONFIG parameters that shape them: Redis 7's texts, over the real
/// engine. The server's clock is a fake that does not move unless a test moves it, so every command runs in 0 µs.
/// </summary>
public sealed class RespStatsTests
{
    private static async Task ExpectAsync(RespTestServer server, params (string Command, string Reply)[] script)
    {
        foreach (var (command, reply) in script)
        {
            Assert.Equal((command, reply), (command, await server.CallAsync(command.Split(' '))));
        }
    }

    /// <summary>The lines of one INFO section, without its header (a bulk reply in RESP2).</summary>
    private static async Task<string[]> SectionAsync(RespTestServer server, string section)
    {
        var reply = await server.CallAsync("INFO", section);
        var body = reply[(reply.IndexOf("\r\n", StringComparison.Ordinal) + 2)..^2];
        return [.. body.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Where(line => !line.StartsWith('#'))];
    }

    [Fact]
    public async Task CommandStats_CountCalls_Rejections_AndFailures_AsRedis()
    {
        await using var server = new RespTestServer();
        await ExpectAsync(
            server,
            ("SET a 1", "+OK\r\n"),
            ("GET a", "$1\r\n1\r\n"),
            ("SADD a x", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
            ("SET", "-ERR wrong number of arguments for 'set' command\r\n"),
            ("FOO", "-ERR unknown command 'FOO', with args beginning with: \r\n"),
            ("CONFIG GET timeout", "*2\r\n$7\r\ntimeout\r\n$1\r\n0\r\n"),
            ("CONFIG NOPE", "-ERR unknown subcommand 'NOPE'. Try CONFIG HELP.\r\n"),
            ("MULTI", "+OK\r\n"),
            ("SET b 2", "+QUEUED\r\n"),
            ("SADD b y", "+QUEUED\r\n"),
            ("EXEC", "*2\r\n+OK\r\n-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"));

        // Queued commands count when EXEC runs them (and EXEC did not fail: its reply is the array); a subcommand of CONFIG
        // counts apart; an unknown subcommand, as an unknown command, only in errorstats. INFO counts once it has answered.
        Assert.Equal(
            [
                "cmdstat_config|get:calls=1,usec=0,usec_per_call=0.00,rejected_calls=0,failed_calls=0",
                "cmdstat_multi:calls=1,usec=0,usec_per_call=0.00,rejected_calls=0,failed_calls=0",
                "cmdstat_exec:calls=1,usec=0,usec_per_call=0.00,rejected_calls=0,failed_calls=0",
                "cmdstat_get:calls=1,usec=0,usec_per_call=0.00,rejected_calls=0,failed_calls=0",
                "cmdstat_set:calls=2,usec=0,usec_per_call=0.00,rejected_calls=1,failed_calls=0",
                "cmdstat_sadd:calls=2,usec=0,usec_per_call=0.00,rejected_calls=0,failed_calls=2",
            ],
            await SectionAsync(server, "commandstats"));
        Assert.Equal(["errorstat_ERR:count=3", "errorstat_WRONGTYPE:count=2"], await SectionAsync(server, "errorstats"));
        Assert.Contains("total_error_replies:5", await SectionAsync(server, "stats"));

        await ExpectAsync(server, ("CONFIG RESETSTAT", "+OK\r\n"));
        Assert.Equal(["cmdstat_config|resetstat:calls=1,usec=0,usec_per_call=0.00,rejected_calls=0,failed_calls=0"], await SectionAsync(server, "commandstats"));
        Assert.Empty(await SectionAsync(server, "errorstats"));
        Assert.DoesNotContain(await SectionAsync(server, "latencystats"), line => line.StartsWith("latency_percentiles_usec_set:", StringComparison.Ordinal));
        Assert.Contains("total_error_replies:0", await SectionAsync(server, "stats"));
    }

    [Fact]
    public async Task CommandStats_TimeEachCommand_FromTheServersClock()
    {
        await using var server = new RespTestServer();
        await ExpectAsync(server, ("SET a 1", "+OK\r\n"));
        server.Time.AutoAdvanceAmount = TimeSpan.FromMilliseconds(3); // every reading of the clock moves it on
        await ExpectAsync(server, ("GET a", "$1\r\n1\r\n"));
        server.Time.AutoAdvanceAmount = TimeSpan.Zero;

        var get = Assert.Single(await SectionAsync(server, "commandstats"), line => line.StartsWith("cmdstat_get:", StringComparison.Ordinal));
        var usec = long.Parse(get.Split(',')[1]["usec=".Length..], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(usec >= 3000, get); // at least one clock step fell between the command's start and end
    }

    [Fact]
    public async Task LatencyStats_AndLatencyHistogram_AnswerAsRedis()
    {
        await using var server = new RespTestServer();
        await ExpectAsync(server, ("SET a 1", "+OK\r\n"), ("SET b 2", "+OK\r\n"), ("CONFIG GET timeout", "*2\r\n$7\r\ntimeout\r\n$1\r\n0\r\n"));
        server.Time.AutoAdvanceAmount = TimeSpan.FromMilliseconds(3);
        await ExpectAsync(server, ("GET a", "$1\r\n1\r\n"));
        server.Time.AutoAdvanceAmount = TimeSpan.Zero;

        // The fake clock stands still: both SETs took 0 ns, in the first bucket (below 1,024 ns, labelled 1 µs).
        await ExpectAsync(
            server,
            ("LATENCY HISTOGRAM set nosuch", "*2\r\n$3\r\nset\r\n*4\r\n$5\r\ncalls\r\n:2\r\n$14\r\nhistogram_usec\r\n*2\r\n:1\r\n:2\r\n"),
            ("LATENCY HISTOGRAM config", "*2\r\n$10\r\nconfig|get\r\n*4\r\n$5\r\ncalls\r\n:1\r\n$14\r\nhistogram_usec\r\n*2\r\n:1\r\n:1\r\n"),
            ("LATENCY LATEST", "*0\r\n"),
            ("LATENCY HISTORY command", "*0\r\n"),
            ("LATENCY RESET", ":0\r\n"),
            ("LATENCY GRAPH command", "-ERR No samples available for event 'command'\r\n"),
            ("LATENCY LATEST x", "-ERR wrong number of arguments for 'latency|latest' command\r\n"),
            ("LATENCY FOO", "-ERR unknown subcommand 'FOO'. Try LATENCY HELP.\r\n"),
            ("CONFIG GET latency-tracking*", "*4\r\n$16\r\nlatency-tracking\r\n$3\r\nyes\r\n$33\r\nlatency-tracking-info-percentiles\r\n$10\r\n50 99 99.9\r\n"));

        var stats = await SectionAsync(server, "latencystats");
        Assert.Contains("latency_percentiles_usec_set:p50=0.000,p99=0.000,p99.9=0.000", stats);
        var get = Assert.Single(stats, line => line.StartsWith("latency_percentiles_usec_get:p50=", StringComparison.Ordinal));
        var p50 = double.Parse(get.Split(',')[0].Split('=')[1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(p50 >= 3000, get); // the GET spanned at least one 3-ms step of the clock
    }

    [Fact]
    public async Task KeyspaceHitsAndMisses_CountTheKeysReadCommandsLookUp_AndResetStatClearsThem()
    {
        await using var server = new RespTestServer();
        await ExpectAsync(
            server,
            ("SET a 1", "+OK\r\n"),
            ("GET a", "$1\r\n1\r\n"),
            ("GET b", "$-1\r\n"),
            ("MGET a b c", "*3\r\n$1\r\n1\r\n$-1\r\n$-1\r\n"),
            ("HGET a f", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
            ("SET c 3", "+OK\r\n"), // a write: no lookup counts
            ("INCR n", ":1\r\n"),
            ("TTL a", ":-1\r\n"), // its type, then its expiry: one hit
            ("SET x 1 PX 10", "+OK\r\n"));
        server.Time.Advance(TimeSpan.FromSeconds(2)); // past x's expiry and the sweep's next round

        // GET a, MGET's a (its type, then its value: once), HGET's a (found, of the wrong type), TTL a: four hits, as
        // redis-server counts them; GET b, MGET's b and c: three misses.
        var stats = await SectionAsync(server, "stats");
        Assert.Equal("keyspace_hits:4 keyspace_misses:3", string.Join(' ', stats.Where(l => l.StartsWith("keyspace_", StringComparison.Ordinal))));
        Assert.Contains("evicted_keys:0", stats);
        await Poll.UntilAsync(async () => (await SectionAsync(server, "stats")).Contains("expired_keys:1"), "the sweep to delete x", TimeSpan.FromSeconds(10));

        await ExpectAsync(server, ("CONFIG RESETSTAT", "+OK\r\n"));
        stats = await SectionAsync(server, "stats");
        Assert.Equal("keyspace_hits:0 keyspace_misses:0", string.Join(' ', stats.Where(l => l.StartsWith("keyspace_", StringComparison.Ordinal))));
        Assert.Contains("expired_keys:0", stats);
        // Since the reset: CONFIG RESETSTAT's 31 bytes in (counted once it ran), its "+OK\r\n" out; not yet this INFO.
        Assert.Contains("total_net_input_bytes:31", stats);
        Assert.Contains("total_net_output_bytes:5", stats);
    }

    [Fact]
    public async Task Info_Default_HasErrorstats_AndAllAddsCommandstatsAndLatencystats()
    {
        await using var server = new RespTestServer();
        var plain = await server.CallAsync("INFO");
        var all = await server.CallAsync("INFO", "all");
        Assert.Contains("# Errorstats\r\n", plain);
        Assert.DoesNotContain("# Commandstats", plain);
        Assert.Contains("# Commandstats\r\ncmdstat_info:calls=1,", all);
        Assert.True(all.IndexOf("# Commandstats", StringComparison.Ordinal) < all.IndexOf("# Errorstats", StringComparison.Ordinal));
        Assert.DoesNotContain("# Latencystats", plain);
        Assert.True(all.IndexOf("# Errorstats", StringComparison.Ordinal) < all.IndexOf("# Latencystats", StringComparison.Ordinal));
        Assert.True(all.IndexOf("# Latencystats", StringComparison.Ordinal) < all.IndexOf("# Keyspace", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ErrorStats_TellApartAtMost128Codes_AndCountTheRestInTheTotal()
    {
        await using var server = new RespTestServer();
        var errors = ((Fornax.Kv.Resp.RespServer)server.Server).ErrorStats;
        for (var i = 0; i < 200; i++)
        {
            errors.Count($"CODE{i} something went wrong");
        }

        Assert.Equal(128, (await SectionAsync(server, "errorstats")).Length);
        Assert.Contains("total_error_replies:200", await SectionAsync(server, "stats"));
    }

    [Fact]
    public async Task Slowlog_KeepsTheNewestEntries_BoundedAndWithoutSecrets()
    {
        await using var server = new RespTestServer(new OnePasswordAuthenticator("s3cret"));
        await ExpectAsync(
            server,
            ("AUTH s3cret", "+OK\r\n"),
            ("SLOWLOG LEN", ":0\r\n"),
            ("CONFIG SET slowlog-log-slower-than 0", "+OK\r\n"),
            ("AUTH default s3cret", "+OK\r\n"));
        Assert.StartsWith("*14\r\n$6\r\nserver\r\n", await server.CallAsync("HELLO", "2", "AUTH", "default", "s3cret", "SETNAME", "app"));
        await ExpectAsync(
            server,
            ("ECHO " + new string('x', 130), "$130\r\n" + new string('x', 130) + "\r\n"),
            ("EXISTS " + string.Join(' ', Enumerable.Range(0, 40)), ":0\r\n"));

        var entries = await server.CallAsync("SLOWLOG", "GET", "-1");
        Assert.StartsWith("*5\r\n", entries); // CONFIG SET, AUTH, HELLO, ECHO, EXISTS; newest first
        var exists = "*6\r\n:4\r\n:1796299200\r\n:0\r\n*32\r\n$6\r\nEXISTS\r\n" + string.Concat(Enumerable.Range(0, 30).Select(i => $"${i.ToString(System.Globalization.CultureInfo.InvariantCulture).Length}\r\n{i}\r\n"))
            + "$23\r\n... (10 more arguments)\r\n$15\r\n192.0.2.10:5000\r\n$3\r\napp\r\n";
        var echo = "*6\r\n:3\r\n:1796299200\r\n:0\r\n*2\r\n$4\r\nECHO\r\n$146\r\n" + new string('x', 128) + "... (2 more bytes)\r\n$15\r\n192.0.2.10:5000\r\n$3\r\napp\r\n";
        var hello = "*6\r\n:2\r\n:1796299200\r\n:0\r\n*7\r\n$5\r\nHELLO\r\n$1\r\n2\r\n$4\r\nAUTH\r\n$10\r\n(redacted)\r\n$10\r\n(redacted)\r\n$7\r\nSETNAME\r\n$3\r\napp\r\n$15\r\n192.0.2.10:5000\r\n$3\r\napp\r\n";
        var auth = "*6\r\n:1\r\n:1796299200\r\n:0\r\n*3\r\n$4\r\nAUTH\r\n$10\r\n(redacted)\r\n$10\r\n(redacted)\r\n$15\r\n192.0.2.10:5000\r\n$0\r\n\r\n";
        Assert.Equal("*5\r\n" + exists + echo + hello + auth, entries[..Math.Min(entries.Length, 4 + exists.Length + echo.Length + hello.Length + auth.Length)]);
        Assert.DoesNotContain("s3cret", entries);

        await ExpectAsync(
            server,
            ("SLOWLOG LEN", ":6\r\n"), // the GET above is logged too
            ("SLOWLOG GET 1", "*1\r\n*6\r\n:6\r\n:1796299200\r\n:0\r\n*2\r\n$7\r\nSLOWLOG\r\n$3\r\nLEN\r\n$15\r\n192.0.2.10:5000\r\n$3\r\napp\r\n"),
            ("CONFIG SET slowlog-max-len 2", "+OK\r\n"),
            ("SLOWLOG LEN", ":2\r\n"),
            ("CONFIG SET slowlog-log-slower-than -1", "+OK\r\n"),
            ("PING", "+PONG\r\n"),
            ("SLOWLOG LEN", ":2\r\n"),
            ("SLOWLOG RESET", "+OK\r\n"),
            ("SLOWLOG GET", "*0\r\n"),
            ("SLOWLOG GET -2", "-ERR count should be greater than or equal to -1\r\n"),
            ("SLOWLOG GET x", "-ERR count should be greater than or equal to -1\r\n"),
            ("SLOWLOG LEN 1", "-ERR wrong number of arguments for 'slowlog|len' command\r\n"),
            ("SLOWLOG FOO", "-ERR unknown subcommand 'FOO'. Try SLOWLOG HELP.\r\n"));
    }

    [Fact]
    public async Task Slowlog_LogsOnlyCommandsSlowerThanTheThreshold()
    {
        await using var server = new RespTestServer();
        await ExpectAsync(server, ("CONFIG SET slowlog-log-slower-than 2000", "+OK\r\n"), ("SET a 1", "+OK\r\n"));
        server.Time.AutoAdvanceAmount = TimeSpan.FromMilliseconds(3);
        await ExpectAsync(server, ("GET a", "$1\r\n1\r\n"));
        server.Time.AutoAdvanceAmount = TimeSpan.Zero;

        var entries = await server.CallAsync("SLOWLOG", "GET");
        Assert.StartsWith("*1\r\n*6\r\n:0\r\n", entries);
        Assert.Contains("*2\r\n$3\r\nGET\r\n$1\r\na\r\n", entries);
    }

    [Fact]
    public async Task ConfigSet_ChangesOnlyTheSlowlog_AllOrNothing()
    {
        await using var server = new RespTestServer();
        await ExpectAsync(
            server,
            ("CONFIG GET slowlog*", "*4\r\n$23\r\nslowlog-log-slower-than\r\n$5\r\n10000\r\n$15\r\nslowlog-max-len\r\n$3\r\n128\r\n"),
            ("CONFIG SET slowlog-max-len 5 slowlog-log-slower-than abc", "-ERR CONFIG SET failed (possibly related to argument 'slowlog-log-slower-than') - argument couldn't be parsed into an integer\r\n"),
            ("CONFIG SET slowlog-max-len -1", "-ERR CONFIG SET failed (possibly related to argument 'slowlog-max-len') - argument must be between 0 and 10000 inclusive\r\n"),
            ("CONFIG SET slowlog-log-slower-than -2", "-ERR CONFIG SET failed (possibly related to argument 'slowlog-log-slower-than') - argument must be between -1 and 9223372036854775807 inclusive\r\n"),
            ("CONFIG SET slowlog-max-len 5 slowlog-max-len 6", "-ERR CONFIG SET failed (possibly related to argument 'slowlog-max-len') - duplicate parameter\r\n"),
            ("CONFIG SET slowlog-max-len 5 appendfsync always", "-ERR CONFIG SET 'appendfsync' is not supported: a site is configured by its 'fornax node run' flags and config file; only slowlog-log-slower-than and slowlog-max-len are set at run time\r\n"),
            ("CONFIG SET slowlog-max-len", "-ERR wrong number of arguments for 'config|set' command\r\n"),
            ("CONFIG GET slowlog*", "*4\r\n$23\r\nslowlog-log-slower-than\r\n$5\r\n10000\r\n$15\r\nslowlog-max-len\r\n$3\r\n128\r\n"),
            ("CONFIG SET SLOWLOG-MAX-LEN 5 slowlog-log-slower-than 0", "+OK\r\n"),
            ("CONFIG GET slowlog*", "*4\r\n$23\r\nslowlog-log-slower-than\r\n$1\r\n0\r\n$15\r\nslowlog-max-len\r\n$1\r\n5\r\n"),
            ("CONFIG RESETSTAT x", "-ERR wrong number of arguments for 'config|resetstat' command\r\n"));
    }
}
