using System.Net;
using System.Net.Sockets;
using System.Text;
using Fornax.Kv.Engine;
using Fornax.Kv.Replication;
using Fornax.Kv.Resp;
using Fornax.Kv.Tests.Replication;
using Fornax.Testing;
using Microsoft.Extensions.Time.Testing;
using static Fornax.Kv.Tests.Engine.StoreFixture;

namespace Fornax.Kv.Tests.Resp;

/// <summary>
/// WAIT on the RESP port's own sockets: an edge store replicating <c>cart:</c> with its parent over an in-memory link
/// that the tests cut and heal; the WAIT timeout runs on a fake clock.
/// </summary>
public sealed class WaitTests : IAsyncDisposable
{
    private readonly EdgeAndParent _site = new();

    private FakeTimeProvider Time => _site.Time;

    private IKvStore Cloud => _site.Cloud;

    private TestLink Link => _site.Link;

    private RespServer Server => _site.Server;

    private RespListener Listener => _site.Listener;

    public ValueTask DisposeAsync() => _site.DisposeAsync();

    /// <summary>The edge store and its RESP port, its parent's store, and the link between them.</summary>
    private sealed class EdgeAndParent : IAsyncDisposable
    {
        public EdgeAndParent()
        {
            Edge = Replicating("edge", "cart:");
            Cloud = Replicating("cloud", "cart:");
            Link = new TestLink(KvReplication.For(Cloud), KvReplication.For(Edge));
            Server = (RespServer)RespServerFactory.Create(new RespServerOptions { TimeProvider = Time }, Edge, new TrustAll());
            Listener = Server.Listen(new IPEndPoint(IPAddress.Loopback, 0));
        }

        public FakeTimeProvider Time { get; } = new(Start);

        public IKvStore Edge { get; }

        public IKvStore Cloud { get; }

        public TestLink Link { get; }

        public RespServer Server { get; }

        public RespListener Listener { get; }

        public async ValueTask DisposeAsync()
        {
            await Listener.DisposeAsync();
            await Link.DisposeAsync();
            await Edge.DisposeAsync();
            await Cloud.DisposeAsync();
        }
    }

    [Fact]
    public async Task Wait_AnswersOnceTheParentHoldsTheWrite()
    {
        using var client = await ConnectAsync();

        Assert.Equal("+OK\r\n:1\r\n", await CallAsync(client, "SET cart:1 apple\r\nWAIT 1 0\r\n", "+OK\r\n:1\r\n"));
        Assert.Equal("apple", Cloud.Get("cart:1"));
    }

    [Fact]
    public async Task Wait_WhileTheLinkIsCut_TimesOutWithNone_AndAfterTheHealCountsTheParent()
    {
        using var client = await ConnectAsync();
        await CallAsync(client, "SET cart:0 x\r\nWAIT 1 0\r\n", "+OK\r\n:1\r\n");
        await Link.CutAsync();

        await SendAsync(client, "SET cart:1 pear\r\nWAIT 1 500\r\n");
        await BlockedAsync(1);
        Time.Advance(TimeSpan.FromMilliseconds(499));
        Assert.Equal(1, Server.BlockedClients); // not yet: the timeout is the command's, in milliseconds
        Time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal("+OK\r\n:0\r\n", await ReadAsync(client, "+OK\r\n:0\r\n".Length));
        Assert.Null(Cloud.Get("cart:1"));
        // INFO commandstats (and SLOWLOG) count what WAIT cost the site, not the 500 ms it waited, as Redis 7 does.
        var wait = Server.CommandFigures().Single(f => f.Command == "wait");
        Assert.Equal(2, wait.Calls);
        Assert.True(wait.Microseconds < 100_000, $"WAIT's time counted its wait: {wait.Microseconds} µs");

        await SendAsync(client, "WAIT 1 0\r\n");
        await BlockedAsync(1);
        Link.Heal();
        Assert.Equal(":1\r\n", await ReadAsync(client, ":1\r\n".Length));
        Assert.Equal("pear", Cloud.Get("cart:1"));
        Assert.Equal(0, Server.BlockedClients);
    }

    [Fact]
    public async Task Wait_ForWritesOutsideEveryKeyspace_OrNoWrites_AnswersNoneAtOnce()
    {
        using var fresh = await ConnectAsync();
        Assert.Equal(":0\r\n", await CallAsync(fresh, "WAIT 1 0\r\n", ":0\r\n"));

        using var local = await ConnectAsync();
        Assert.Equal("+OK\r\n:0\r\n", await CallAsync(local, "SET local:1 mine\r\nWAIT 1 0\r\n", "+OK\r\n:0\r\n"));
        Assert.Null(Cloud.Get("local:1"));
    }

    [Fact]
    public async Task Wait_AsksForNoMoreThanHoldIt_AnswersAtOnce_EvenWhileCut()
    {
        using var client = await ConnectAsync();
        await CallAsync(client, "SET cart:1 a\r\nWAIT 1 0\r\n", "+OK\r\n:1\r\n");
        await Link.CutAsync();

        // The write before the cut is held by the parent; one made during the cut is held by nobody yet.
        Assert.Equal(":1\r\n:1\r\n", await CallAsync(client, "WAIT 1 0\r\nWAIT 0 0\r\n", ":1\r\n:1\r\n"));
        Assert.Equal("+OK\r\n:0\r\n", await CallAsync(client, "SET cart:2 b\r\nWAIT 0 0\r\n", "+OK\r\n:0\r\n"));
    }

    [Fact]
    public async Task Wait_ForAKeyspaceTheParentDoesNotReplicate_CountsNobody_ThoughTheParentAcknowledgedLaterChanges()
    {
        KvReplication.For(_site.Edge).SetKeyspaces(["cart:", "own:"]); // own: is placed at the edge alone
        using var client = await ConnectAsync();
        using var other = await ConnectAsync();

        await SendAsync(client, "SET own:1 mine\r\nWAIT 1 100\r\n");
        await BlockedAsync(1);
        // The parent acknowledges a change made after own:1 (its acknowledgement covers every change it needs up to it).
        await CallAsync(other, "SET cart:9 later\r\nWAIT 1 0\r\n", "+OK\r\n:1\r\n");
        Assert.Equal(1, Server.BlockedClients);

        Time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Equal("+OK\r\n:0\r\n", await ReadAsync(client, "+OK\r\n:0\r\n".Length));
        Assert.Null(Cloud.Get("own:1"));
    }

    [Fact]
    public async Task Wait_AfterWritesInTwoKeyspaces_CountsOnlyANeighbourHoldingBoth()
    {
        KvReplication.For(_site.Edge).SetKeyspaces(["cart:", "own:"]); // own: is placed at the edge alone
        using var client = await ConnectAsync();

        // The parent holds the latest write (cart:1) but not the one before it (own:1): it does not count.
        await SendAsync(client, "SET own:1 mine\r\nSET cart:1 a\r\nWAIT 1 100\r\n");
        await BlockedAsync(1);
        Time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Equal("+OK\r\n+OK\r\n:0\r\n", await ReadAsync(client, "+OK\r\n+OK\r\n:0\r\n".Length));
        await Poll.UntilAsync(() => Cloud.Get("cart:1") == "a", "the parent to hold cart:1");

        // The same for one transaction over both keyspaces.
        using var other = await ConnectAsync();
        var expected = "+OK\r\n+QUEUED\r\n+QUEUED\r\n*2\r\n+OK\r\n+OK\r\n";
        Assert.Equal(expected, await CallAsync(other, "MULTI\r\nSET own:2 b\r\nSET cart:2 c\r\nEXEC\r\n", expected));
        await Poll.UntilAsync(() => Cloud.Get("cart:2") == "c", "the parent to hold cart:2");
        await SendAsync(other, "WAIT 1 100\r\n");
        await BlockedAsync(1);
        Time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Equal(":0\r\n", await ReadAsync(other, ":0\r\n".Length));

        // A connection that wrote one keyspace only counts the parent at once.
        using var third = await ConnectAsync();
        Assert.Equal("+OK\r\n+OK\r\n:1\r\n", await CallAsync(third, "SET cart:3 d\r\nSET cart:4 e\r\nWAIT 1 0\r\n", "+OK\r\n+OK\r\n:1\r\n"));
    }

    [Fact]
    public async Task Wait_AfterAnotherClientChangedTheKeyAgain_CountsANeighbourOnlyOnceItHoldsTheLaterChange()
    {
        using var client = await ConnectAsync();
        using var other = await ConnectAsync();
        await CallAsync(client, "SET cart:1 first\r\nWAIT 1 0\r\n", "+OK\r\n:1\r\n");
        await Link.CutAsync();
        await CallAsync(other, "SET cart:1 second\r\n", "+OK\r\n");

        // The parent has this connection's write, but the key changed again since: a superseded change may never travel
        // (the later state goes instead), so only a neighbour holding the key's latest change counts.
        await SendAsync(client, "WAIT 1 100\r\n");
        await BlockedAsync(1);
        Time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Equal(":0\r\n", await ReadAsync(client, ":0\r\n".Length));

        await SendAsync(client, "WAIT 1 0\r\n");
        await BlockedAsync(1);
        Link.Heal();
        Assert.Equal(":1\r\n", await ReadAsync(client, ":1\r\n".Length));
        Assert.Equal("second", Cloud.Get("cart:1"));
    }

    [Fact]
    public async Task Wait_InsideMulti_AnswersAtOnce()
    {
        using var client = await ConnectAsync();
        await CallAsync(client, "SET cart:1 a\r\nWAIT 1 0\r\n", "+OK\r\n:1\r\n");
        await Link.CutAsync();

        // Two neighbours asked for, one holds the writes before the transaction: outside MULTI this would wait for ever.
        var expected = "+OK\r\n+QUEUED\r\n+QUEUED\r\n*2\r\n+OK\r\n:1\r\n";
        Assert.Equal(expected, await CallAsync(client, "MULTI\r\nSET cart:2 b\r\nWAIT 2 0\r\nEXEC\r\n", expected));
        Assert.Equal(0, Server.BlockedClients);
    }

    [Fact]
    public async Task Wait_ClientThatGoesWhileBlocked_IsLetGoAtOnce()
    {
        await Link.CutAsync();
        var client = await ConnectAsync();
        await SendAsync(client, "SET cart:1 a\r\nWAIT 1 0\r\n");
        await BlockedAsync(1);

        client.Dispose();

        await Poll.UntilAsync(() => Server.ConnectedClients == 0 && Server.BlockedClients == 0 && Listener.Connections == 0,
            "the port to let go of the client that went while blocked");
    }

    [Fact]
    public async Task Wait_CommandsSentWhileBlocked_AreReadMeanwhile_AndRunAfterIt()
    {
        await Link.CutAsync();
        using var client = await ConnectAsync();
        await SendAsync(client, "SET cart:1 plum\r\nWAIT 1 0\r\n");
        await BlockedAsync(1);

        await SendAsync(client, "GET cart:1\r\nPING\r\n");
        // The burst being run stays in the receive buffer until it ends; what came after it is read behind it.
        await Poll.UntilAsync(() => Server.Clients.Single().Input.Length == "SET cart:1 plum\r\nWAIT 1 0\r\nGET cart:1\r\nPING\r\n".Length,
            "the blocked connection to read the commands sent after WAIT", describe: () => $"{Server.Clients.Single().Input.Length} bytes received");
        Link.Heal();

        var expected = "+OK\r\n:1\r\n$4\r\nplum\r\n+PONG\r\n";
        Assert.Equal(expected, await ReadAsync(client, expected.Length));
    }

    [Fact]
    public async Task Wait_RepliesToTheCommandsBeforeIt_LeaveWhileItBlocks()
    {
        await Link.CutAsync();
        using var client = await ConnectAsync();

        // As Redis writes a blocked client's pending output: the client has its SET's and GET's replies during the wait.
        await SendAsync(client, "SET cart:1 fig\r\nGET cart:1\r\nWAIT 1 0\r\nPING\r\n");
        Assert.Equal("+OK\r\n$3\r\nfig\r\n", await ReadAsync(client, "+OK\r\n$3\r\nfig\r\n".Length));
        Assert.Equal(1, Server.BlockedClients);

        Link.Heal();
        Assert.Equal(":1\r\n+PONG\r\n", await ReadAsync(client, ":1\r\n+PONG\r\n".Length));
        var wait = Server.CommandFigures().Single(f => f.Command == "wait");
        Assert.Equal((1, 0), (wait.Calls, wait.FailedCalls));
    }

    [Fact]
    public async Task Wait_ThePortStopping_EndsTheWaitWithWhatIsHeld_AndTheReplyIsSent()
    {
        await Link.CutAsync();
        using var client = await ConnectAsync();
        await SendAsync(client, "SET cart:1 a\r\nWAIT 1 0\r\n");
        await BlockedAsync(1);

        using var deadline = new CancellationTokenSource(Poll.DefaultDeadline);
        await Listener.StopAsync(deadline.Token);

        Assert.False(deadline.IsCancellationRequested, "the stop waited for its deadline: the blocked WAIT held it");
        Assert.Equal("+OK\r\n:0\r\n", await SocketReads.ReadTextToEndAsync(client));
    }

    [Fact]
    public async Task Wait_OfAClientThatFilledTheReceiveBuffer_StillEndsWhenThePortStops()
    {
        await _site.Link.CutAsync();
        using var client = await ConnectAsync();
        await SendAsync(client, "SET cart:1 a\r\nWAIT 1 0\r\n");
        await BlockedAsync(1);

        // More than the receive buffer holds: the blocked connection stops reading once it is full.
        var pings = string.Concat(Enumerable.Repeat("PING\r\n", 20_000));
        var sending = SendAsync(client, pings);
        await Poll.UntilAsync(() => Server.Clients.Single().Input.Room().IsEmpty, "the blocked connection's receive buffer to fill");

        using var deadline = new CancellationTokenSource(Poll.DefaultDeadline);
        await Listener.StopAsync(deadline.Token).WaitAsync(Poll.DefaultDeadline * 2);

        Assert.False(deadline.IsCancellationRequested, "the stop waited for its deadline: the blocked WAIT held it");
        var replies = await SocketReads.ReadTextToEndAsync(client);
        Assert.StartsWith("+OK\r\n:0\r\n+PONG\r\n", replies, StringComparison.Ordinal);
        await sending.WaitAsync(Poll.DefaultDeadline).ContinueWith(_ => { }, TaskScheduler.Default); // it may fail: the port stopped reading
    }

    [Theory]
    [InlineData("WAIT\r\n", "-ERR wrong number of arguments for 'wait' command\r\n")]
    [InlineData("WAIT x 0\r\n", "-ERR value is not an integer or out of range\r\n")]
    [InlineData("WAIT x -1\r\n", "-ERR value is not an integer or out of range\r\n")]
    [InlineData("WAIT 1 x\r\n", "-ERR timeout is not an integer or out of range\r\n")]
    [InlineData("WAIT 1 1.5\r\n", "-ERR timeout is not an integer or out of range\r\n")]
    [InlineData("WAIT 1 -1\r\n", "-ERR timeout is negative\r\n")]
    [InlineData("WAIT -1 0\r\n", ":0\r\n")]
    public async Task Wait_BadArguments_AnswerRedisServersErrors_AndBlockNothing(string command, string expected)
    {
        // redis-server 7.0.15's replies (redis-cli against it, 2026-12-06).
        await Link.CutAsync();
        using var client = await ConnectAsync();
        await CallAsync(client, "SET cart:1 a\r\n", "+OK\r\n");

        Assert.Equal(expected + "+PONG\r\n", await CallAsync(client, command + "PING\r\n", expected + "+PONG\r\n"));
        Assert.Equal(0, Server.BlockedClients);
    }

    private Task BlockedAsync(int count) =>
        Poll.UntilAsync(() => Server.BlockedClients == count, $"{count} client(s) blocked in WAIT", describe: () => $"{Server.BlockedClients} blocked");

    private async Task<Socket> ConnectAsync()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(Listener.LocalEndPoint);
        return socket;
    }

    private static async Task SendAsync(Socket socket, string text) => await socket.SendAsync(Encoding.UTF8.GetBytes(text), SocketFlags.None);

    /// <summary>Sends <paramref name="text"/> and reads as many bytes as <paramref name="expected"/> has.</summary>
    private static async Task<string> CallAsync(Socket socket, string text, string expected)
    {
        await SendAsync(socket, text);
        return await ReadAsync(socket, expected.Length);
    }

    private static Task<string> ReadAsync(Socket socket, int length) => SocketReads.ReadTextAsync(socket, length);
}
