using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Fornax.Kv.Engine;
using Fornax.Kv.Resp;
using Fornax.Kv.Tests.Storage;
using Fornax.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Fornax.Kv.Tests.Resp;

/// <summary>
/// The RESP port's own socket loop (<see cref="RespListener"/>): real sockets on 127.0.0.1 port 0, the bytes a client
/// sends, the bytes it gets back.
/// </summary>
public sealed partial class RespListenerTests
{
    [Fact]
    public async Task PipelinedCommands_AnswerInOrder_InlineAndArrays()
    {
        await using var port = await SocketPort.StartAsync();
        using var client = await port.ConnectAsync();

        await SendAsync(client, "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\nGET k\r\nINCR n\r\nPING\r\n*2\r\n$4\r\nINCR\r\n$1\r\nn\r\nNOSUCH\r\n");

        Assert.Equal("+OK\r\n$1\r\nv\r\n:1\r\n+PONG\r\n:2\r\n-ERR unknown command 'NOSUCH', with args beginning with: \r\n",
            await ReadExactlyAsync(client, "+OK\r\n$1\r\nv\r\n:1\r\n+PONG\r\n:2\r\n-ERR unknown command 'NOSUCH', with args beginning with: \r\n".Length));
    }

    [Fact]
    public async Task CommandSplitAcrossManyReceives_IsAnsweredOnce_WhenWhole()
    {
        await using var port = await SocketPort.StartAsync();
        using var client = await port.ConnectAsync();
        var value = new string('x', 100_000); // larger than a receive, so the bulk string arrives over several
        var command = Encoding.ASCII.GetBytes($"*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n${value.Length}\r\n{value}\r\nSTRLEN big\r\n");

        for (var at = 0; at < command.Length; at += 7919)
        {
            await client.SendAsync(command.AsMemory(at, Math.Min(7919, command.Length - at)), SocketFlags.None);
        }

        Assert.Equal("+OK\r\n:100000\r\n", await ReadExactlyAsync(client, "+OK\r\n:100000\r\n".Length));
    }

    [Fact]
    public async Task ClientDisconnectingMidPipeline_KeepsWhatWasWhole_AndThePortServesOn()
    {
        await using var port = await SocketPort.StartAsync();
        using (var client = await port.ConnectAsync())
        {
            // Two whole commands, then a SET whose value announced 10 bytes and sent 3; the client reads the two replies
            // and is gone mid-command.
            await SendAsync(client, "SET a 1\r\nINCR n\r\n*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$10\r\nabc");
            Assert.Equal("+OK\r\n:1\r\n", await ReadExactlyAsync(client, "+OK\r\n:1\r\n".Length));
            client.Shutdown(SocketShutdown.Both);
        }

        await Poll.UntilAsync(() => port.Server.ConnectedClients == 0, "the port to let go of the client gone mid-command");
        using var next = await port.ConnectAsync();
        await SendAsync(next, "GET a\r\nGET n\r\nEXISTS b\r\n");
        Assert.Equal("$1\r\n1\r\n$1\r\n1\r\n:0\r\n", await ReadExactlyAsync(next, "$1\r\n1\r\n$1\r\n1\r\n:0\r\n".Length));
    }

    [Fact]
    public async Task ClientEndingItsSendSide_GetsEveryReplyThenTheEnd()
    {
        await using var port = await SocketPort.StartAsync();
        using var client = await port.ConnectAsync();

        await SendAsync(client, "SET h 1\r\nINCR h\r\nGET h\r\n");
        client.Shutdown(SocketShutdown.Send);

        Assert.Equal("+OK\r\n:2\r\n$1\r\n2\r\n", await SocketReads.ReadTextToEndAsync(client));
    }

    [Fact]
    public async Task ManyConnections_EachGetsItsOwnReplies()
    {
        const int Connections = 200, Rounds = 20;
        await using var port = await SocketPort.StartAsync();

        await Task.WhenAll(Enumerable.Range(0, Connections).Select(async c =>
        {
            using var client = await port.ConnectAsync();
            for (var round = 0; round < Rounds; round++)
            {
                // A pipelined burst per round: this connection's own key, then the shared counter.
                await SendAsync(client, $"SET own:{c} {round}\r\nGET own:{c}\r\nINCR shared\r\n");
                var replies = await ReadExactlyAsync(client, $"+OK\r\n${round.ToString(CultureInfo.InvariantCulture).Length}\r\n{round}\r\n".Length);
                Assert.Equal($"+OK\r\n${round.ToString(CultureInfo.InvariantCulture).Length}\r\n{round}\r\n", replies);
                Assert.Matches(@"^:\d+\r\n$", await ReadLineAsync(client));
            }
        }));

        using var check = await port.ConnectAsync();
        await SendAsync(check, "GET shared\r\n");
        var total = (Connections * Rounds).ToString(CultureInfo.InvariantCulture);
        Assert.Equal($"${total.Length}\r\n{total}\r\n", await ReadExactlyAsync(check, $"${total.Length}\r\n{total}\r\n".Length));
        Assert.Equal(Connections * Rounds * 3 + 1, port.Server.TotalCommands);
    }

    /// <summary>
    /// A client pipelines 1,000 GETs of a 64 KiB value (64 MiB of replies) and reads nothing. The site sends until the
    /// kernel's buffers are full and then waits: the connection holds at most a send's worth of replies plus one
    /// (CLIENT LIST's omem) and at most a receive buffer of commands (qbuf), instead of the replies of every command
    /// it has received. Then the client reads, and gets all 1,000 whole.
    /// </summary>
    [Fact]
    public async Task SlowReaderOfLargeReplies_HoldsABoundedBuffer_AndGetsEveryReply()
    {
        const int Gets = 1000, ValueBytes = 64 * 1024;
        await using var port = await SocketPort.StartAsync();
        using var writer = await port.ConnectAsync();
        var value = new string('v', ValueBytes);
        await SendAsync(writer, $"*3\r\n$3\r\nSET\r\n$4\r\nhuge\r\n${ValueBytes}\r\n{value}\r\nCLIENT SETNAME watcher\r\n");
        Assert.Equal("+OK\r\n+OK\r\n", await ReadExactlyAsync(writer, "+OK\r\n+OK\r\n".Length));

        using var slow = await port.ConnectAsync();
        slow.ReceiveBufferSize = 64 * 1024;
        var gets = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("GET huge\r\n", Gets)));
        var sending = slow.SendAsync(gets, SocketFlags.None); // may not complete until the client reads

        var held = await Poll.ForAsync<string>(async () =>
        {
            await SendAsync(writer, "CLIENT LIST\r\n");
            var list = await ReadBulkAsync(writer);
            var line = list.Split('\n').FirstOrDefault(l => !l.Contains("name=watcher", StringComparison.Ordinal) && l.Contains("cmd=get", StringComparison.Ordinal));
            return line is not null && OutputMemory(line) > 0 ? line : null;
        }, "the slow reader's replies to back up at the site");

        var limit = (long)new RespServerOptions().MaxReplyBytesPerSend + ValueBytes + 64;
        Assert.True(OutputMemory(held) <= limit, $"the slow reader's connection holds {OutputMemory(held)} bytes of replies (limit {limit}): {held}");
        Assert.True(QueryBuffer(held) <= RespReceiveBuffer.MaxBytes, held);

        var reply = Encoding.ASCII.GetBytes($"${ValueBytes}\r\n{value}\r\n");
        var all = await ReadExactlyBytesAsync(slow, reply.Length * Gets);
        await sending;
        for (var i = 0; i < Gets; i++)
        {
            Assert.True(all.AsSpan(i * reply.Length, reply.Length).SequenceEqual(reply), $"reply {i} is not the value");
        }
    }

    /// <summary>
    /// A large value halfway received is copied out of the receive buffer as it comes, so it is not in qbuf: CLIENT LIST
    /// shows it as argv-mem (Redis 7's "incomplete arguments for the next command"), and tot-mem counts it, until the
    /// command is whole and has run.
    /// </summary>
    [Fact]
    public async Task ALargeValueHalfwayReceived_ShowsAsArgvMem_UntilItsCommandRuns()
    {
        const int ValueBytes = 200_000, Sent = 150_000;
        await using var port = await SocketPort.StartAsync();
        using var watcher = await port.ConnectAsync();
        await SendAsync(watcher, "CLIENT SETNAME watcher\r\n");
        Assert.Equal("+OK\r\n", await ReadExactlyAsync(watcher, "+OK\r\n".Length));
        using var writer = await port.ConnectAsync();
        await SendAsync(writer, $"CLIENT SETNAME writer\r\n*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n${ValueBytes}\r\n{new string('v', Sent)}");
        Assert.Equal("+OK\r\n", await ReadExactlyAsync(writer, "+OK\r\n".Length));

        async Task<string> WriterLine()
        {
            await SendAsync(watcher, "CLIENT LIST\r\n");
            return (await ReadBulkAsync(watcher)).Split('\n').Single(l => l.Contains(" name=writer ", StringComparison.Ordinal));
        }

        // "SET", "big" and the value's first 150,000 bytes: 150,006 bytes of arguments.
        var line = "";
        await Poll.UntilAsync(async () => Field(line = await WriterLine(), "argv-mem") == Sent + 6, "the writer's half value to show as argv-mem", describe: () => Task.FromResult(line));
        Assert.Equal(Field(line, "qbuf") + Field(line, "argv-mem") + Field(line, "omem"), Field(line, "tot-mem"));

        await SendAsync(writer, new string('v', ValueBytes - Sent) + "\r\n");
        Assert.Equal("+OK\r\n", await ReadExactlyAsync(writer, "+OK\r\n".Length));
        line = await WriterLine();
        Assert.Equal(0, Field(line, "argv-mem"));
        Assert.Equal(0, Field(line, "tot-mem"));
    }

    private static long Field(string clientLine, string name) =>
        long.Parse(clientLine.Split(' ').Single(f => f.StartsWith(name + "=", StringComparison.Ordinal))[(name.Length + 1)..], CultureInfo.InvariantCulture);

    [Fact]
    public async Task InlineLineWithoutEnd_PastTheLimit_ClosesWithRedisText()
    {
        await using var port = await SocketPort.StartAsync();
        using var client = await port.ConnectAsync();

        // Exactly the limit: the site has read every byte when it answers, so closing resets nothing the client must read.
        await client.SendAsync(Encoding.ASCII.GetBytes(new string('a', RespRequestParser.InlineMaxBytes)), SocketFlags.None);

        Assert.Equal("-ERR Protocol error: too big inline request\r\n", await SocketReads.ReadTextToEndAsync(client));
    }

    [Fact]
    public async Task UnderAlways_EveryReplyFollowsItsWriteToDisk()
    {
        using var dir = new TempDirectory();
        await using var port = await SocketPort.StartAsync(new KvStoreOptions { SiteId = "always", DataDirectory = dir.Path, Durability = KvDurability.Always });
        using var client = await port.ConnectAsync();

        for (var round = 0; round < 50; round++)
        {
            await SendAsync(client, $"SET a:{round} 1\r\nINCR n\r\nSADD s {round}\r\n");
            Assert.Equal($"+OK\r\n:{round + 1}\r\n:1\r\n", await ReadExactlyAsync(client, $"+OK\r\n:{round + 1}\r\n:1\r\n".Length));
            // The replies came after the group commit that holds all three writes.
            Assert.Equal(0, port.Store.Stats.PendingDiskWrites);
        }
    }

    [Fact]
    public async Task Stop_AnswersWhatEachConnectionReceived_ThenClosesIt_AndAcceptsNoMore()
    {
        var port = await SocketPort.StartAsync();
        await using var _ = port;
        using var busy = await port.ConnectAsync();
        using var idle = await port.ConnectAsync();
        await SendAsync(busy, "SET s 1\r\nINCR s\r\n");
        Assert.Equal("+OK\r\n:2\r\n", await ReadExactlyAsync(busy, "+OK\r\n:2\r\n".Length));
        await SendAsync(busy, "INCR s\r\n");
        await Poll.UntilAsync(() => port.Server.TotalCommands == 3, "the third command to be run");

        await port.Listener.StopAsync(new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token);

        Assert.Equal(":3\r\n", await SocketReads.ReadTextToEndAsync(busy));
        Assert.Equal("", await SocketReads.ReadTextToEndAsync(idle));
        Assert.Equal(0, port.Server.ConnectedClients);
        using var late = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await Assert.ThrowsAsync<SocketException>(async () => await late.ConnectAsync(port.Listener.LocalEndPoint));
    }

    [Fact]
    public async Task Dispose_CutsConnectionsThatDoNotFinish()
    {
        var port = await SocketPort.StartAsync();
        using var slow = await port.ConnectAsync();
        using var writer = await port.ConnectAsync();
        await SendAsync(writer, $"*3\r\n$3\r\nSET\r\n$1\r\nv\r\n$65536\r\n{new string('v', 65536)}\r\n");
        Assert.Equal("+OK\r\n", await ReadExactlyAsync(writer, 5));
        // Replies this client never reads keep its connection sending; a stop with no time left cuts it.
        _ = slow.SendAsync(Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("GET v\r\n", 2000))), SocketFlags.None);
        await Poll.UntilAsync(() => port.Server.TotalCommands > 10, "the slow reader's GETs to run");

        await port.DisposeAsync();

        Assert.Equal(0, port.Server.ConnectedClients);
    }

    private static long OutputMemory(string clientLine) => long.Parse(OutputField().Match(clientLine).Groups[1].Value, CultureInfo.InvariantCulture);

    private static long QueryBuffer(string clientLine) => long.Parse(QueryField().Match(clientLine).Groups[1].Value, CultureInfo.InvariantCulture);

    [GeneratedRegex(@" omem=(\d+) ")]
    private static partial Regex OutputField();

    [GeneratedRegex(@" qbuf=(\d+) ")]
    private static partial Regex QueryField();

    private static async Task SendAsync(Socket socket, string text) => await socket.SendAsync(Encoding.UTF8.GetBytes(text), SocketFlags.None);

    private static async Task<string> ReadExactlyAsync(Socket socket, int length) => Encoding.UTF8.GetString(await ReadExactlyBytesAsync(socket, length));

    private static async Task<byte[]> ReadExactlyBytesAsync(Socket socket, int length)
    {
        var buffer = new byte[length];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var received = 0;
        while (received < length)
        {
            var read = await socket.ReceiveAsync(buffer.AsMemory(received), SocketFlags.None, timeout.Token);
            if (read == 0)
            {
                throw new EndOfStreamException($"the port closed after {received} of {length} bytes: {Encoding.UTF8.GetString(buffer, 0, Math.Min(received, 200))}");
            }

            received += read;
        }

        return buffer;
    }

    private static async Task<string> ReadLineAsync(Socket socket)
    {
        var line = new StringBuilder();
        while (!line.ToString().EndsWith("\r\n", StringComparison.Ordinal))
        {
            line.Append(await ReadExactlyAsync(socket, 1));
        }

        return line.ToString();
    }

    /// <summary>Reads one bulk string reply's text.</summary>
    private static async Task<string> ReadBulkAsync(Socket socket)
    {
        var header = await ReadLineAsync(socket);
        var length = int.Parse(header.AsSpan(1, header.Length - 3), CultureInfo.InvariantCulture);
        return (await ReadExactlyAsync(socket, length + 2))[..length];
    }


    /// <summary>A store, its RESP server and a listener on 127.0.0.1 port 0.</summary>
    private sealed class SocketPort : IAsyncDisposable
    {
        private SocketPort(IKvStore store, IRespServer server, RespListener listener)
        {
            Store = store;
            Server = server;
            Listener = listener;
        }

        public IKvStore Store { get; }

        public IRespServer Server { get; }

        public RespListener Listener { get; }

        public static Task<SocketPort> StartAsync(KvStoreOptions? options = null)
        {
            var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 4, 12, 0, 0, TimeSpan.Zero));
            var store = KvStore.Open((options ?? new KvStoreOptions { SiteId = "sockets" }) with { TimeProvider = time, Random = new Random(3) });
            var server = RespServerFactory.Create(new RespServerOptions { TimeProvider = time, Random = new Random(5) }, store, new TrustAll());
            return Task.FromResult(new SocketPort(store, server, server.Listen(new IPEndPoint(IPAddress.Loopback, 0))));
        }

        public async Task<Socket> ConnectAsync()
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(Listener.LocalEndPoint);
            return socket;
        }

        public async ValueTask DisposeAsync()
        {
            await Listener.DisposeAsync();
            await Store.DisposeAsync();
        }
    }
}
