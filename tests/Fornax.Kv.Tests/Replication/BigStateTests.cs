using System.Buffers.Binary;
using Fornax.Kv.Engine;
using Fornax.Kv.Replication;
using Fornax.Kv.Tests.Engine;
using Fornax.Testing;
using static Fornax.Kv.Tests.Engine.StoreFixture;

namespace Fornax.Kv.Tests.Replication;

/// <summary>
/// A key whose whole state is over the 4 MiB frame limit (a 10 MiB set or hash) still travels whole when it must: in a
/// catch-up, when a replica lacks a delta's base, after a DEL; cut into parts the receiver reassembles and bounds. The
/// pipe refuses frames over the limit, as the site link does.
/// </summary>
public sealed class BigStateTests
{
    /// <summary>Members of 100 bytes: 100,000 of them make a set of ~10 MiB.</summary>
    private const int Members = 100_000;

    private static IKvStore Site(string name) => ReplicationBookkeepingTests.Site(name, "big:");

    private static void AddMembers(IKvStore store, string key, int from, int count) => store.Do(tx =>
    {
        for (var i = from; i < from + count; i++)
        {
            tx.SetAdd(B(key), B(i.ToString("D100", System.Globalization.CultureInfo.InvariantCulture)));
        }
    });

    private static long Card(IKvStore store, string key) => store.Run(tx => tx.SetCount(B(key)));

    private static bool Idle(params IKvStore[] stores) => stores.All(s => s.Stats.Peers.All(p => p.PendingKeys == 0));

    private static int WholeBytes(IKvStore store, string key) =>
        Fornax.Kv.Engine.Crdt.KeyCodec.ToArray(((KvEngine)store).Export(B(key))!).Length;

    [Fact]
    public async Task TenMebibyteSet_IsCaughtUpByANewReplica_InParts()
    {
        await using var a = Site("a");
        await using var b = Site("b");
        AddMembers(a, "big:set", 0, Members);
        Assert.True(WholeBytes(a, "big:set") > 10_000_000);

        await using var link = new TestLink(KvReplication.For(a), KvReplication.For(b));
        await Poll.UntilAsync(() => Card(b, "big:set") == Members && Idle(a, b), "the set to reach the new replica",
            describe: () => $"{Card(b, "big:set")} members at b");

        Assert.Contains(link.Pipes.A.Sent, f => f[0] == Frames.Part);
        Assert.Equal(a.View("big:set"), b.View("big:set"));
    }

    [Fact]
    public async Task AReplicaLackingTheBaseOfADelta_ToABigKey_GetsItsWholeState()
    {
        await using var a = Site("a");
        await using var b = Site("b");
        await using var link = new TestLink(KvReplication.For(a), KvReplication.For(b));
        for (var chunk = 0; chunk < Members; chunk += 10_000)
        {
            AddMembers(a, "big:set", chunk, 10_000); // each crosses as a delta of 10,000 members (~1 MiB)
        }

        await Poll.UntilAsync(() => Card(b, "big:set") == Members && Idle(a, b), "the set to replicate as deltas");

        // B loses its copy behind replication's back: the next delta builds on a base B lacks, and B asks for the whole
        // state, which only travels in parts.
        var engine = (KvEngine)b;
        lock (engine.Gate)
        {
            engine.DropWhere(key => key.AsSpan().SequenceEqual("big:set"u8));
        }

        AddMembers(a, "big:set", Members, 1);
        await Poll.UntilAsync(() => Card(b, "big:set") == Members + 1 && Idle(a, b), "the whole set to reach b",
            describe: () => $"{Card(b, "big:set")} members at b");
        Assert.True(engine.Replication.DeltasWithoutBase > 0);
        Assert.Contains(link.Pipes.A.Sent, f => f[0] == Frames.Part);
        Assert.Equal(a.View("big:set"), b.View("big:set"));
    }

    [Fact]
    public async Task DelOfABigHash_Replicates_AndTheHashCanBeWrittenAgain()
    {
        await using var a = Site("a");
        await using var b = Site("b");
        a.Do(tx =>
        {
            for (var i = 0; i < Members; i++)
            {
                tx.HashSet(B("big:hash"), B($"field-{i:D10}"), B(new string('v', 100)));
            }
        });
        Assert.True(WholeBytes(a, "big:hash") > 10_000_000);
        await using var link = new TestLink(KvReplication.For(a), KvReplication.For(b));
        await Poll.UntilAsync(() => b.Entries("big:hash").Length == Members && Idle(a, b), "the hash to reach b");

        a.Do(tx => tx.Delete(B("big:hash")));
        await Poll.UntilAsync(() => b.Entries("big:hash").Length == 0 && Idle(a, b), "the delete to reach b");

        a.Do(tx => tx.HashSet(B("big:hash"), B("again"), B("1")));
        await Poll.UntilAsync(() => b.Entries("big:hash").SequenceEqual(["again=1"]) && Idle(a, b), "the new hash to reach b");
    }

    private static readonly Lazy<Task<byte[][]>> Cut = new(() => CutBatchAsync(1));

    /// <summary>A real batch frame of one 10 MiB set, cut as a sender cuts it.</summary>
    private static async Task<byte[][]> CutBatchAsync(long number)
    {
        await using var source = Site("source");
        AddMembers(source, "big:set", 0, Members);
        var writer = new BatchWriter();
        Assert.True(writer.Append(((KvEngine)source).Export(B("big:set"))!));
        return [.. Frames.Cut(writer.ToFrame(number))];
    }

    private static byte[] Part(int total, int offset, byte[] data)
    {
        var part = new byte[9 + data.Length];
        part[0] = Frames.Part;
        BinaryPrimitives.WriteInt32LittleEndian(part.AsSpan(1), total);
        BinaryPrimitives.WriteInt32LittleEndian(part.AsSpan(5), offset);
        data.CopyTo(part, 9);
        return part;
    }

    [Fact]
    public async Task ACutBatch_IsApplied_AndItsReplayChangesNothing()
    {
        var parts = await Cut.Value;
        Assert.True(parts.Length > 4);
        Assert.All(parts, p => Assert.True(p.Length <= Frames.MaxFrameBytes));

        await using var b = Site("b");
        var hello = Frames.EncodeHello("source", 42, 42, []);
        Assert.Null(await StreamSafetyTests.Feed(b, [hello, .. parts, .. parts]));
        Assert.Equal(Members, Card(b, "big:set"));
    }

    public static TheoryData<string> BadCuts() => ["out of order", "over the bound", "under the frame limit", "another frame inside", "not a batch", "past the total", "empty part"];

    [Theory]
    [MemberData(nameof(BadCuts))]
    public async Task ABadlyCutFrame_IsRefused_AndNothingApplied(string how)
    {
        var parts = await Cut.Value;
        var total = BinaryPrimitives.ReadInt32LittleEndian(parts[0].AsSpan(1));
        byte[][] feed = how switch
        {
            "out of order" => [parts[0], parts[2], parts[1], .. parts[3..]],
            "over the bound" => [Part(Frames.MaxWholeFrameBytes + 1, 0, [Frames.Batch])],
            "under the frame limit" => [Part(100, 0, new byte[100])],
            "another frame inside" => [parts[0], Frames.EncodeAck(1), .. parts[1..]],
            "not a batch" => [.. Frames.Cut([Frames.Ack, .. new byte[Frames.MaxFrameBytes + 10]])],
            "past the total" => [.. parts[..^1], Part(total, total - parts[^1].Length + 9, [.. parts[^1].AsSpan(9), 0])],
            _ => [parts[0], Part(total, Frames.PartBytes, [])],
        };

        await using var b = Site("b");
        b.Set("big:kept", "yes");
        var error = await StreamSafetyTests.Feed(b, [Frames.EncodeHello("evil", 42, 42, []), .. feed]);
        Assert.IsType<ReplicationProtocolException>(error);
        Assert.Equal(0, Card(b, "big:set"));
        Assert.Equal("yes", b.Get("big:kept"));
    }
}
