namespace Fornax.Kv.Tests.Resp;

/// <summary>SUBSCRIBE, PSUBSCRIBE, PUBLISH and PUBSUB among the connections of one server: Redis 7's exact replies.</summary>
public sealed class PubSubTests
{
    private static async Task ExpectAsync(RespTestServer connection, params (string Command, string Reply)[] script)
    {
        foreach (var (command, reply) in script)
        {
            // A (P)SUBSCRIBE or UNSUBSCRIBE of several names answers once per name: read as many replies as expected.
            await connection.SendAsync(command.Split(' '));
            var replies = reply.Split("*3\r\n$", StringSplitOptions.RemoveEmptyEntries).Length;
            var received = "";
            for (var i = 0; i < (command.Contains("SUBSCRIBE ", StringComparison.Ordinal) ? replies : 1); i++)
            {
                received += await connection.ReadReplyAsync();
            }

            Assert.Equal((command, reply), (command, received));
        }
    }

    [Fact]
    public async Task Publish_ReachesChannelAndPatternSubscribers_InTheOrderPublished()
    {
        await using var subscriber = new RespTestServer();
        await using var publisher = subscriber.Connect();
        await ExpectAsync(
            subscriber,
            ("SUBSCRIBE ch1 ch2", "*3\r\n$9\r\nsubscribe\r\n$3\r\nch1\r\n:1\r\n*3\r\n$9\r\nsubscribe\r\n$3\r\nch2\r\n:2\r\n"),
            ("PSUBSCRIBE c*", "*3\r\n$10\r\npsubscribe\r\n$2\r\nc*\r\n:3\r\n"));

        await ExpectAsync(publisher, ("PUBLISH ch1 hello", ":2\r\n"), ("PUBLISH other x", ":0\r\n"), ("PUBLISH ch2 again", ":2\r\n"));

        Assert.Equal("*3\r\n$7\r\nmessage\r\n$3\r\nch1\r\n$5\r\nhello\r\n", await subscriber.ReadReplyAsync());
        Assert.Equal("*4\r\n$8\r\npmessage\r\n$2\r\nc*\r\n$3\r\nch1\r\n$5\r\nhello\r\n", await subscriber.ReadReplyAsync());
        Assert.Equal("*3\r\n$7\r\nmessage\r\n$3\r\nch2\r\n$5\r\nagain\r\n", await subscriber.ReadReplyAsync());
        Assert.Equal("*4\r\n$8\r\npmessage\r\n$2\r\nc*\r\n$3\r\nch2\r\n$5\r\nagain\r\n", await subscriber.ReadReplyAsync());
        Assert.Null(await subscriber.TryReadPushAsync(TimeSpan.FromMilliseconds(200)));
    }

    [Fact]
    public async Task SubscribedResp2Connection_RunsOnlyPubSubCommands_AndLeavesTheModeWhenUnsubscribed()
    {
        await using var subscriber = new RespTestServer();
        await ExpectAsync(
            subscriber,
            ("SUBSCRIBE ch1", "*3\r\n$9\r\nsubscribe\r\n$3\r\nch1\r\n:1\r\n"),
            ("GET x", "-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n"),
            ("PING", "*2\r\n$4\r\npong\r\n$0\r\n\r\n"),
            ("PING hi", "*2\r\n$4\r\npong\r\n$2\r\nhi\r\n"),
            ("UNSUBSCRIBE nope", "*3\r\n$11\r\nunsubscribe\r\n$4\r\nnope\r\n:1\r\n"),
            ("UNSUBSCRIBE", "*3\r\n$11\r\nunsubscribe\r\n$3\r\nch1\r\n:0\r\n"),
            ("UNSUBSCRIBE", "*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:0\r\n"),
            ("PUNSUBSCRIBE", "*3\r\n$12\r\npunsubscribe\r\n$-1\r\n:0\r\n"),
            ("GET x", "$-1\r\n"),
            ("PING", "+PONG\r\n"),
            ("SUBSCRIBE", "-ERR wrong number of arguments for 'subscribe' command\r\n"),
            ("PUBLISH x", "-ERR wrong number of arguments for 'publish' command\r\n"),
            ("SPUBLISH x y", "-ERR unsupported command 'spublish': the Fornax KV store has strings, counters, hashes and sets; sharded publish/subscribe is not supported (PUBLISH and SUBSCRIBE are)\r\n"));
    }

    [Fact]
    public async Task Resp3Subscriber_GetsPushes_AndRunsAnyCommand()
    {
        await using var subscriber = new RespTestServer();
        await using var publisher = subscriber.Connect();
        Assert.StartsWith("%", await subscriber.CallAsync("HELLO", "3"));
        await ExpectAsync(subscriber, ("SUBSCRIBE q", ">3\r\n$9\r\nsubscribe\r\n$1\r\nq\r\n:1\r\n"), ("GET x", "_\r\n"));
        await ExpectAsync(publisher, ("PUBLISH q m", ":1\r\n"));
        Assert.Equal(">3\r\n$7\r\nmessage\r\n$1\r\nq\r\n$1\r\nm\r\n", await subscriber.ReadReplyAsync());
    }

    [Fact]
    public async Task PubSubIntrospection_AndResetAndDisconnect_EndSubscriptions()
    {
        await using var a = new RespTestServer();
        await using var b = a.Connect(5001);
        var c = a.Connect(5002);
        await ExpectAsync(a, ("SUBSCRIBE ch1 ch2", "*3\r\n$9\r\nsubscribe\r\n$3\r\nch1\r\n:1\r\n*3\r\n$9\r\nsubscribe\r\n$3\r\nch2\r\n:2\r\n"), ("PSUBSCRIBE c*", "*3\r\n$10\r\npsubscribe\r\n$2\r\nc*\r\n:3\r\n"));
        await ExpectAsync(c, ("SUBSCRIBE ch1", "*3\r\n$9\r\nsubscribe\r\n$3\r\nch1\r\n:1\r\n"));
        await ExpectAsync(
            b,
            ("PUBSUB CHANNELS ch1*", "*1\r\n$3\r\nch1\r\n"),
            ("PUBSUB NUMSUB ch1 ch2 zz", "*6\r\n$3\r\nch1\r\n:2\r\n$3\r\nch2\r\n:1\r\n$2\r\nzz\r\n:0\r\n"),
            ("PUBSUB NUMPAT", ":1\r\n"),
            ("PUBSUB FOO", "-ERR unknown subcommand 'FOO'. Try PUBSUB HELP.\r\n"),
            ("PUBSUB NUMPAT x", "-ERR wrong number of arguments for 'pubsub|numpat' command\r\n"));
        Assert.Contains("flags=P db=0 sub=2 psub=1 ", await b.CallAsync("CLIENT", "LIST"));

        await ExpectAsync(a, ("RESET", "+RESET\r\n"), ("GET x", "$-1\r\n"));
        await c.DisposeAsync(); // its connection ends: its subscription with it
        await ExpectAsync(
            b,
            ("PUBSUB CHANNELS", "*0\r\n"),
            ("PUBSUB NUMPAT", ":0\r\n"),
            ("PUBLISH ch1 x", ":0\r\n"));
        Assert.Contains("pubsub_channels:0\r\npubsub_patterns:0\r\n", await b.CallAsync("INFO", "stats"));
    }
}
