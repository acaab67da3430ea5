using System.Buffers;
using System.Text;
using Fornax.Kv.Engine;
using Fornax.Kv.Resp;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Fornax.Kv.Tests.Resp;

/// <summary>
/// Pipelined bursts: the data commands of a burst run under one hold of the store's lock, session commands between
/// them outside it; whatever way the bytes arrive, the replies are those of the commands one by one.
/// </summary>
public sealed class RespBurstTests
{
    /// <summary>
    /// What a SET of a 3-byte value to an existing key may allocate: the value's copy (32 bytes), its one-register array
    /// (48) and its cell (32) — cells are immutable, so a failed transaction restores the old one by reference. 112 today.
    /// </summary>
    private const int PerSetBytes = 128;

    /// <summary>Data commands, session commands between them, a MULTI, a WATCH, a refusal, an unknown command.</summary>
    private static readonly string[][] Pipeline =
    [
        ["SET", "k", "v"], ["GET", "k"], ["INCR", "n"], ["PING"], ["INCR", "n"], ["GET", "nope"],
        ["WATCH", "k"], ["MULTI"], ["SET", "k", "w"], ["INCR", "n"], ["EXEC"], ["GET", "k"],
        ["SADD", "s", "a", "b"], ["HSET", "h", "f", "1"], ["INCR", "k"], ["ECHO", "x"], ["GET"], ["NOSUCH", "a"],
        ["DEL", "k"], ["GET", "k"],
    ];

    [Fact]
    public async Task PipelinedBurst_SplitAtEveryBytePosition_AnswersAsInOnePiece()
    {
        var bytes = Encode(Pipeline);
        var whole = await RepliesAsync(bytes, bytes.Length);
        Assert.StartsWith("+OK\r\n$1\r\nv\r\n:1\r\n+PONG\r\n:2\r\n$-1\r\n+OK\r\n+OK\r\n+QUEUED\r\n+QUEUED\r\n*2\r\n+OK\r\n:3\r\n$1\r\nw\r\n", whole);
        Assert.Contains("-ERR wrong number of arguments for 'get' command\r\n", whole);
        Assert.EndsWith(":1\r\n$-1\r\n", whole);
        for (var split = 1; split < bytes.Length; split++)
        {
            Assert.Equal((split, whole), (split, await RepliesAsync(bytes, split)));
        }
    }

    [Fact]
    public async Task BurstLongerThanOneLockHold_AnswersEveryCommandInOrder()
    {
        var count = new RespServerOptions().MaxCommandsPerLockHold * 3 + 5;
        var bytes = Encode([.. Enumerable.Range(0, count).Select(_ => new[] { "INCR", "n" })]);
        var replies = await RepliesAsync(bytes, bytes.Length);
        Assert.Equal(string.Concat(Enumerable.Range(1, count).Select(i => $":{i}\r\n")), replies);
    }

    /// <summary>
    /// GET over a pipelined burst allocates nothing per command: parsed from the sequence into the connection's arena, the
    /// key looked up by span, the value copied into the reply buffer. Measured on this thread, once the buffers have grown.
    /// </summary>
    [Fact]
    public async Task PipelinedGets_AllocateNothingPerCommand()
    {
        const int Commands = 1000;
        var store = KvStore.Open(new KvStoreOptions { SiteId = "alloc", TimeProvider = new FakeTimeProvider(), Random = new Random(1) });
        await using var _ = store;
        store.Execute(0, static (tx, _) =>
        {
            tx.SetString("key:1"u8, "value"u8, null, keepExpiry: false);
            return true;
        }, out bool _);
        var server = new RespServer(new RespServerOptions(), store, new TrustAll(), NullLogger.Instance);
        var client = new RespConnection(server, 1, null, null, trusted: true);
        var bytes = Encode([.. Enumerable.Range(0, Commands).Select(i => new[] { "GET", i % 2 == 0 ? "key:1" : "key:2" })]);
        var replies = new ArrayBufferWriter<byte>(64 * Commands);

        RunBurst(server, client, bytes, replies); // grows the arena and the reply buffer, compiles the path
        var expected = replies.WrittenCount;
        replies.ResetWrittenCount();
        var before = GC.GetAllocatedBytesForCurrentThread();
        RunBurst(server, client, bytes, replies);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(expected, replies.WrittenCount);
        Assert.StartsWith("$5\r\nvalue\r\n$-1\r\n", Encoding.ASCII.GetString(replies.WrittenSpan));
        // One allocation per command would be at least 24 bytes each (24,000 here).
        Assert.True(allocated < Commands, $"{Commands} pipelined GETs allocated {allocated} bytes");
    }

    /// <summary>
    /// SET of an existing key over a pipelined burst allocates what the new value needs and nothing else: the value's
    /// copy (it outlives the command) and its register cell; no clock reading, undo record or reply allocates. Measured
    /// on this thread, once the buffers have grown.
    /// </summary>
    [Fact]
    public async Task PipelinedSets_AllocateTheValueAndItsCell_NotMore()
    {
        const int Commands = 1000;
        var store = KvStore.Open(new KvStoreOptions { SiteId = "alloc", TimeProvider = new FakeTimeProvider(), Random = new Random(1) });
        await using var _ = store;
        var server = new RespServer(new RespServerOptions(), store, new TrustAll(), NullLogger.Instance);
        var client = new RespConnection(server, 1, null, null, trusted: true);
        var bytes = Encode([.. Enumerable.Range(0, Commands).Select(i => new[] { "SET", $"key:{i % 100:000}", "xxx" })]);
        var replies = new ArrayBufferWriter<byte>(64 * Commands);

        RunBurst(server, client, bytes, replies); // creates the keys, grows the buffers, compiles the path
        replies.ResetWrittenCount();
        var before = GC.GetAllocatedBytesForCurrentThread();
        RunBurst(server, client, bytes, replies);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(string.Concat(Enumerable.Repeat("+OK\r\n", Commands)), Encoding.ASCII.GetString(replies.WrittenSpan));
        Assert.True(allocated < PerSetBytes * Commands, $"{Commands} pipelined SETs allocated {allocated} bytes ({allocated / Commands} per SET)");
    }

    private static void RunBurst(RespServer server, RespConnection client, byte[] bytes, ArrayBufferWriter<byte> replies)
    {
        var buffer = new ReadOnlySequence<byte>(bytes);
        var run = server.RunCommandsAsync(client, buffer);
        Assert.True(run.IsCompletedSuccessfully, "a burst of data commands completes synchronously");
        if (run.IsCompletedSuccessfully)
        {
            Assert.Equal(buffer.End, run.Result);
        }

        client.Reply.DrainTo(replies);
    }

    /// <summary>The replies of a fresh server to <paramref name="bytes"/> sent in two writes, split at <paramref name="split"/>.</summary>
    private static async Task<string> RepliesAsync(byte[] bytes, int split)
    {
        await using var server = new RespTestServer();
        await server.SendRawAsync(bytes[..split]);
        if (split < bytes.Length)
        {
            await server.SendRawAsync(bytes[split..]);
        }

        var text = new StringBuilder();
        for (var i = 0; i < ReplyCount(bytes); i++)
        {
            text.Append(await server.ReadReplyAsync());
        }

        return text.ToString();
    }

    private static int ReplyCount(byte[] bytes) => Encoding.ASCII.GetString(bytes).Split("\r\n").Count(line => line.StartsWith('*'));

    private static byte[] Encode(string[][] commands) =>
        ParserHarness.Encode([.. commands.Select(c => c.Select(Encoding.UTF8.GetBytes).ToArray())]);
}
