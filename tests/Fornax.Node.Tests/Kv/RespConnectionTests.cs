using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Fornax.Hierarchy.Identity;
using Fornax.Node.Kv;
using Fornax.Testing;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace Fornax.Node.Tests.Kv;

/// <summary>Hostile and unusual peers on a real site's RESP port.</summary>
public sealed class RespConnectionTests
{
    [Fact]
    public async Task Metrics_CountTheRespPortsClientsAndCommands_WhichKestrelsDoNotSee()
    {
        await using var site = await RespSite.StartAsync();
        const string Scope = "{otel_scope_name=\"Fornax.Kv\"}";
        using (var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            await socket.ConnectAsync(site.EndPoint);
            await socket.SendAsync(Encoding.ASCII.GetBytes("PING\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n"));
            Assert.Equal("+PONG\r\n+OK\r\n", await ReadExactlyAsync(socket, "+PONG\r\n+OK\r\n".Length));

            var metrics = await site.Site.Http.GetStringAsync("/metrics");
            Assert.Contains($"fornax_kv_clients{Scope} 1\n", metrics, StringComparison.Ordinal);
            Assert.Contains($"fornax_kv_connections_total{Scope} 1\n", metrics, StringComparison.Ordinal);
            Assert.Contains($"fornax_kv_commands_total{Scope} 2\n", metrics, StringComparison.Ordinal);
            // INFO commandstats, per command.
            Assert.Contains("fornax_kv_command_calls_total{otel_scope_name=\"Fornax.Kv\",command=\"ping\"} 1\n", metrics, StringComparison.Ordinal);
            Assert.Contains("fornax_kv_command_calls_total{otel_scope_name=\"Fornax.Kv\",command=\"set\"} 1\n", metrics, StringComparison.Ordinal);
            Assert.Contains("fornax_kv_command_duration_seconds_total{otel_scope_name=\"Fornax.Kv\",command=\"set\"} ", metrics, StringComparison.Ordinal);
            socket.Shutdown(SocketShutdown.Both);
        }

        // The exporter may answer a scrape from its cache for a moment: the closed connection shows on a later one.
        var last = "";
        await Poll.UntilAsync(async () => (last = await site.Site.Http.GetStringAsync("/metrics")).Contains($"fornax_kv_clients{Scope} 0\n", StringComparison.Ordinal),
            "the closed connection to leave fornax_kv_clients", TimeSpan.FromSeconds(20),
            () => Task.FromResult(string.Join('\n', last.Split('\n').Where(l => l.StartsWith("fornax_kv_c", StringComparison.Ordinal)))));
        Assert.Contains($"fornax_kv_connections_total{Scope} 1\n", last, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Subscriber_GetsMessagesWhileIdle_AndHalfwayThroughSendingACommand()
    {
        await using var site = await RespSite.StartAsync();
        using var subscriber = await SubscribeToFeedAsync(site);
        await using var redis = await site.ConnectAsync();
        var publisher = redis.GetSubscriber();

        Assert.Equal(1, await publisher.PublishAsync(RedisChannel.Literal("feed"), "one"));
        var one = "*3\r\n$7\r\nmessage\r\n$4\r\nfeed\r\n$3\r\none\r\n";
        Assert.Equal(one, await ReadExactlyAsync(subscriber, one.Length));

        // Half an inline command (no line end yet): the site keeps it unparsed (qbuf=6) until the rest comes.
        await subscriber.SendAsync(Encoding.ASCII.GetBytes("PING h"));
        var list = "";
        await Poll.UntilAsync(
            async () => (list = (string?)await redis.GetDatabase().ExecuteAsync("CLIENT", "LIST") ?? "").Split('\n')
                .Any(l => l.Contains($"addr={subscriber.LocalEndPoint} ", StringComparison.Ordinal) && l.Contains(" qbuf=6 ", StringComparison.Ordinal)),
            "the site to hold the half command", TimeSpan.FromSeconds(20), () => Task.FromResult(list));
        Assert.Equal(1, await publisher.PublishAsync(RedisChannel.Literal("feed"), "two"));
        var two = "*3\r\n$7\r\nmessage\r\n$4\r\nfeed\r\n$3\r\ntwo\r\n";
        Assert.Equal(two, await ReadExactlyAsync(subscriber, two.Length));

        await subscriber.SendAsync(Encoding.ASCII.GetBytes("i\r\n")); // the rest: a subscribed RESP2 PING answers as an array
        var pong = "*2\r\n$4\r\npong\r\n$2\r\nhi\r\n";
        Assert.Equal(pong, await ReadExactlyAsync(subscriber, pong.Length));
    }

    [Fact]
    public async Task SubscriberThatNeverReads_IsDisconnectedPast32MB_AndPublishersAndTheSiteGoOn()
    {
        await using var site = await RespSite.StartAsync();
        using var subscriber = await SubscribeToFeedAsync(site);

        await using var redis = await site.ConnectAsync();
        var publisher = redis.GetSubscriber();
        var megabyte = new string('m', 1 << 20);
        // The subscriber reads nothing more: messages fill the sockets' buffers, then its queue at the site, which
        // stops at 32 MB by ending the connection. Publishing goes on meanwhile; at the end nobody is subscribed.
        var published = 0;
        while (published < 200 && await publisher.PublishAsync(RedisChannel.Literal("feed"), megabyte) == 1)
        {
            published++;
        }

        Assert.InRange(published, 32, 199);
        Assert.Equal(0, await publisher.PublishAsync(RedisChannel.Literal("feed"), "after"));
        Assert.DoesNotContain($"addr={subscriber.LocalEndPoint} ", (string?)await redis.GetDatabase().ExecuteAsync("CLIENT", "LIST"), StringComparison.Ordinal);
        Assert.Equal("PONG", (string?)await redis.GetDatabase().ExecuteAsync("PING"));
    }

    [Fact]
    public async Task ClientDisconnectingMidPipeline_KeepsWhatWasWhole_AndTheSiteServesOn()
    {
        await using var site = await RespSite.StartAsync();
        using (var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            await socket.ConnectAsync(site.EndPoint);
            // Three whole commands, then half of a fourth (its bulk string announced 10 bytes, 3 sent); the replies of the
            // three are read, then the client is gone mid-command. (Read first: a client closing while replies arrive
            // makes its kernel answer with a reset, which drops what the site had not read yet — TCP, not the site.)
            await socket.SendAsync(Encoding.ASCII.GetBytes("*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\nINCR n\r\n*3\r\n$4\r\nSADD\r\n$1\r\ns\r\n$1\r\nx\r\n*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$10\r\nabc"));
            Assert.Equal("+OK\r\n:1\r\n:1\r\n", await ReadExactlyAsync(socket, "+OK\r\n:1\r\n:1\r\n".Length));
            socket.Shutdown(SocketShutdown.Both);
        }

        await using var redis = await site.ConnectAsync();
        var db = redis.GetDatabase();
        Assert.Equal("1", (string?)await db.StringGetAsync("a"));

        Assert.Equal(1, (long)await db.StringGetAsync("n"));
        Assert.True(await db.SetContainsAsync("s", "x"));
        Assert.False(await db.KeyExistsAsync("b"));
    }

    [Fact]
    public async Task ClientEndingItsSendSide_GetsEveryReplyThenTheEnd()
    {
        await using var site = await RespSite.StartAsync();
        // As `printf 'SET a 1\r\n…' | nc` does: every command at once, then the end of the client's data; the site
        // answers all of them before it closes (as redis-server does), a reply lost would be a write the client never
        // learns of. Many connections, since a lost reply depended on when the end arrived.
        await Task.WhenAll(Enumerable.Range(0, 20).Select(async c =>
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(site.EndPoint);
            await socket.SendAsync(Encoding.ASCII.GetBytes($"SET half:{c} 1\r\nINCR half:n\r\nGET half:{c}\r\n"));
            socket.Shutdown(SocketShutdown.Send);
            var reply = await SocketReads.ReadTextToEndAsync(socket);
            Assert.Matches(@"^\+OK\r\n:\d+\r\n\$1\r\n1\r\n$", reply);
        }));

        await using var redis = await site.ConnectAsync();
        Assert.Equal(20, (long)await redis.GetDatabase().StringGetAsync("half:n"));
    }

    [Fact]
    public async Task BulkOverTheConfiguredLimit_ClosesTheConnection_WithRedisText()
    {
        await using var site = await RespSite.StartAsync(o => o with { RespMaxBulkBytes = 4096 });
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(site.EndPoint);

        await socket.SendAsync(Encoding.ASCII.GetBytes("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$4097\r\n"));
        var reply = await SocketReads.ReadTextToEndAsync(socket);

        Assert.Equal("-ERR Protocol error: invalid bulk length\r\n", reply);
    }

    [Fact]
    public async Task Quit_AnswersThenCloses()
    {
        await using var site = await RespSite.StartAsync();
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(site.EndPoint);

        await socket.SendAsync(Encoding.ASCII.GetBytes("PING\r\nQUIT\r\nPING\r\n"));

        Assert.Equal("+PONG\r\n+OK\r\n", await SocketReads.ReadTextToEndAsync(socket));
    }

    [Fact]
    public async Task ClientKill_ById_EndsThatConnection_AndTheCallerGoesOn()
    {
        await using var site = await RespSite.StartAsync();
        using var caller = await ConnectAsync(site);
        using var victim = await ConnectAsync(site);
        var victimId = await CallAsync(victim, "CLIENT ID\r\n");

        Assert.Equal(":1\r\n", await CallAsync(caller, $"CLIENT KILL ID {victimId[1..^2]}\r\n"));
        Assert.Equal("", await SocketReads.ReadTextToEndAsync(victim));
        Assert.Equal("+PONG\r\n", await CallAsync(caller, "PING\r\n"));
        Assert.Equal(":0\r\n", await CallAsync(caller, $"CLIENT KILL ID {victimId[1..^2]}\r\n"));
        Assert.Equal("-ERR No such client\r\n", await CallAsync(caller, "CLIENT KILL 192.0.2.1:6379\r\n"));
        Assert.Equal("-ERR client-id should be greater than 0\r\n", await CallAsync(caller, "CLIENT KILL ID 0\r\n"));
        Assert.Equal("-ERR syntax error\r\n", await CallAsync(caller, "CLIENT KILL FOO bar\r\n"));
        Assert.Equal("-ERR No such user 'alice'\r\n", await CallAsync(caller, "CLIENT KILL USER alice\r\n"));
        Assert.Equal(":0\r\n", await CallAsync(caller, "CLIENT KILL TYPE pubsub\r\n"));
    }

    [Fact]
    public async Task ClientKill_ByAddress_SkipsTheCaller_UnlessToldNot_AndTheOldFormEndsItToo()
    {
        await using var site = await RespSite.StartAsync();
        using var caller = await ConnectAsync(site);
        var self = caller.LocalEndPoint!.ToString();

        Assert.Equal(":0\r\n", await CallAsync(caller, $"CLIENT KILL ADDR {self}\r\n"));
        Assert.Equal(":1\r\n", await CallAsync(caller, $"CLIENT KILL ADDR {self} SKIPME no\r\n"));
        Assert.Equal("", await SocketReads.ReadTextToEndAsync(caller));

        using var other = await ConnectAsync(site);
        await other.SendAsync(Encoding.ASCII.GetBytes($"CLIENT KILL {other.LocalEndPoint}\r\nPING\r\n"));
        Assert.Equal("+OK\r\n", await SocketReads.ReadTextToEndAsync(other));
    }

    private static async Task<Socket> ConnectAsync(RespSite site)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(site.EndPoint);
        return socket;
    }

    /// <summary>Sends one command and reads its one-line reply.</summary>
    private static async Task<string> CallAsync(Socket socket, string command)
    {
        await socket.SendAsync(Encoding.ASCII.GetBytes(command));
        var reply = new StringBuilder();
        var one = new byte[1];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (!reply.ToString().EndsWith("\r\n", StringComparison.Ordinal) && await socket.ReceiveAsync(one, SocketFlags.None, timeout.Token) == 1)
        {
            reply.Append((char)one[0]);
        }

        return reply.ToString();
    }

    [Fact]
    public void Trust_IsTheApiRule_LoopbackOnly()
    {
        var tokens = new JoinTokenIssuer(new InMemoryTokenStore(), new FakeTimeProvider());
        var trust = new SiteRespAuthenticator(tokens);

        Assert.True(trust.IsTrusted(new IPEndPoint(IPAddress.Loopback, 1)));
        Assert.True(trust.IsTrusted(new IPEndPoint(IPAddress.IPv6Loopback, 1)));
        Assert.True(trust.IsTrusted(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 1)));
        Assert.False(trust.IsTrusted(new IPEndPoint(IPAddress.Parse("192.0.2.10"), 1)));
        Assert.False(trust.IsTrusted(new IPEndPoint(IPAddress.Parse("10.0.0.1"), 1)));
    }

    /// <summary>
    /// Ten thousand idle clients, held by a child process (this process holds the server's side; both in one process
    /// would need 20,000 descriptors). The site must keep serving, count them, and let go of them all when they go.
    /// </summary>
    [Fact]
    [Trait("Category", "Slow")]
    public async Task TenThousandIdleConnections_AreHeld_AndTheSiteStillServes()
    {
        const int Count = 10_000;
        await using var site = await RespSite.StartAsync();
        var holder = Process.Start(new ProcessStartInfo("python3") { ArgumentList = { "-c", IdleClients, site.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), Count.ToString(System.Globalization.CultureInfo.InvariantCulture) }, RedirectStandardInput = true, RedirectStandardOutput = true })!;
        try
        {
            Assert.Equal($"open {Count}", await holder.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(120)));
            await using var redis = await site.ConnectAsync();
            var server = redis.GetServer(site.EndPoint);
            await Poll.UntilAsync(async () => ConnectedClients(await server.InfoAsync("clients")) >= Count, "the site to count the idle clients", TimeSpan.FromSeconds(60));

            Assert.True(await redis.GetDatabase().StringSetAsync("still", "serving"));

            holder.StandardInput.Close(); // the holder closes every socket and exits
            await holder.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
            await Poll.UntilAsync(async () => ConnectedClients(await server.InfoAsync("clients")) < 10, "the site to let go of the closed clients", TimeSpan.FromSeconds(60));
        }
        finally
        {
            if (!holder.HasExited)
            {
                holder.Kill();
            }

            holder.Dispose();
        }
    }

    private static long ConnectedClients(IGrouping<string, KeyValuePair<string, string>>[] info) =>
        long.Parse(info.SelectMany(g => g).First(kv => kv.Key == "connected_clients").Value, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Opens N connections, says so, and holds them until stdin closes (or two minutes pass: it stops by itself).</summary>
    private const string IdleClients = """
        import socket, sys, select
        port, count = int(sys.argv[1]), int(sys.argv[2])
        held = [socket.create_connection(("127.0.0.1", port)) for _ in range(count)]
        print(f"open {len(held)}", flush=True)
        select.select([sys.stdin], [], [], 120)
        for s in held: s.close()
        """;

    /// <summary>A raw RESP2 connection subscribed to the channel "feed", its confirmation read (a small receive buffer:
    /// what it does not read backs up at the site soon).</summary>
    private static async Task<Socket> SubscribeToFeedAsync(RespSite site)
    {
        var subscriber = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 64 * 1024 };
        await subscriber.ConnectAsync(site.EndPoint);
        await subscriber.SendAsync(Encoding.ASCII.GetBytes("SUBSCRIBE feed\r\n"));
        var confirmation = "*3\r\n$9\r\nsubscribe\r\n$4\r\nfeed\r\n:1\r\n";
        Assert.Equal(confirmation, await ReadExactlyAsync(subscriber, confirmation.Length));
        return subscriber;
    }

    private static Task<string> ReadExactlyAsync(Socket socket, int length) => SocketReads.ReadTextAsync(socket, length);
}
