using Fornax.Kv.Engine;
using Fornax.Kv.Engine.Crdt;
using Fornax.Kv.Replication;
using Fornax.Kv.Tests.Engine;
using Fornax.Testing;

namespace Fornax.Kv.Tests.Replication;

/// <summary>
/// Two sites linked, "big:" placed at both: a change to a large set or hash crosses the link as the elements it
/// touched, not as the whole collection; a site that lacks what a delta builds on gets the whole state by a catch-up.
/// </summary>
public sealed class DeltaReplicationTests : IAsyncLifetime
{
    private IKvStore _a = null!;
    private IKvStore _b = null!;
    private readonly List<TestLink> _links = [];

    public async Task InitializeAsync()
    {
        _a = KvStore.Open(new KvStoreOptions { SiteId = "a", Random = new Random(1) });
        _b = KvStore.Open(new KvStoreOptions { SiteId = "b", Random = new Random(2) });
        KvReplication.For(_a).SetKeyspaces(["big:"]);
        KvReplication.For(_b).SetKeyspaces(["big:"]);
        _links.Add(new TestLink(KvReplication.For(_a), KvReplication.For(_b)));
        _a.Set("big:warm", "w");
        await Poll.UntilAsync(() => _b.Get("big:warm") == "w" && Idle(), "the link to settle");
    }

    public async Task DisposeAsync()
    {
        await _links.Single().DisposeAsync();
        await _a.DisposeAsync();
        await _b.DisposeAsync();
    }

    private bool Idle() => new[] { _a, _b }.All(s => s.Stats.Peers.All(p => p.PendingKeys == 0));

    private long BytesSentAtoB => _a.Stats.Peers.Single().BytesSent;

    private static long Card(IKvStore store, string key) => store.Run(tx => tx.SetCount(StoreFixture.B(key)));

    private static void AddMembers(IKvStore store, string key, int from, int count, int length = 10) => store.Do(tx =>
    {
        for (var i = from; i < from + count; i++)
        {
            tx.SetAdd(StoreFixture.B(key), StoreFixture.B(i.ToString("D" + length, System.Globalization.CultureInfo.InvariantCulture)));
        }
    });

    [Fact]
    public async Task SaddToALargeSet_SendsTheAddedMemberNotTheSet()
    {
        AddMembers(_a, "big:set", 0, 5_000);
        await Poll.UntilAsync(() => Card(_b, "big:set") == 5_000 && Idle(), "the set to replicate");

        var before = BytesSentAtoB;
        AddMembers(_a, "big:set", 5_000, 1);
        await Poll.UntilAsync(() => Card(_b, "big:set") == 5_001 && Idle(), "the new member to replicate");

        // The whole set encodes to more than 5,000 × 11 bytes; the delta is the member, its dot, the clocks.
        Assert.InRange(BytesSentAtoB - before, 1, 200);
        Assert.True(((KvEngine)_a).Replication.DeltasSent > 0);
    }

    [Fact]
    public async Task HsetAndHdelOnALargeHash_SendOnlyTheFields_AndConverge()
    {
        _a.Do(tx =>
        {
            for (var i = 0; i < 3_000; i++)
            {
                tx.HashSet("big:hash"u8, StoreFixture.B($"field-{i}"), StoreFixture.B($"value-{i}"));
            }
        });
        await Poll.UntilAsync(() => _b.Entries("big:hash").Length == 3_000 && Idle(), "the hash to replicate");

        var before = BytesSentAtoB;
        _a.Do(tx => tx.HashSet("big:hash"u8, "field-7"u8, "changed"u8));
        _a.Do(tx => tx.HashDelete("big:hash"u8, "field-8"u8));
        _b.Do(tx => tx.HashSet("big:hash"u8, "field-9"u8, "from b"u8)); // concurrent, the other way
        await Poll.UntilAsync(() => _b.View("big:hash") == _a.View("big:hash") && Idle(), "both sites to agree");

        Assert.InRange(BytesSentAtoB - before, 1, 400);
        var entries = _b.Entries("big:hash");
        Assert.Contains("field-7=changed", entries);
        Assert.Contains("field-9=from b", entries);
        Assert.DoesNotContain(entries, e => e.StartsWith("field-8=", StringComparison.Ordinal));
        Assert.Equal(2_999, entries.Length);
    }

    [Fact]
    public async Task FiveMebibyteSet_Replicates()
    {
        // 56 SADDs of 1,000 members of 100 bytes: each crosses the link as its 1,000 members (~100 KiB), well under the
        // 4 MiB frame limit the whole set (~5.4 MiB) is over.
        for (var chunk = 0; chunk < 56; chunk++)
        {
            AddMembers(_a, "big:huge", chunk * 1_000, 1_000, length: 100);
            var expected = (chunk + 1) * 1_000;
            await Poll.UntilAsync(() => Card(_b, "big:huge") == expected, $"{expected} members to replicate");
        }

        var whole = KeyCodec.ToArray(((KvEngine)_a).Export("big:huge"u8)!).Length;
        Assert.True(whole > 5 << 20, $"the set encodes to {whole} bytes");
        Assert.Equal(_a.Members("big:huge").Order(StringComparer.Ordinal), _b.Members("big:huge").Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ASiteLackingTheBase_GetsTheWholeStateByCatchUp()
    {
        AddMembers(_a, "big:set", 0, 100);
        await Poll.UntilAsync(() => Card(_b, "big:set") == 100 && Idle(), "the set to replicate");

        // B loses its copy behind replication's back (as a replica dropped by placement does): the next delta builds on
        // a state B does not have, so B refuses it, asks for a catch-up, and gets the whole set.
        var b = (KvEngine)_b;
        lock (b.Gate)
        {
            b.DropWhere(key => key.AsSpan().SequenceEqual("big:set"u8));
        }

        Assert.Equal(0, Card(_b, "big:set"));
        AddMembers(_a, "big:set", 100, 1);
        await Poll.UntilAsync(() => Card(_b, "big:set") == 101 && Idle(), "the whole set to reach b");
        Assert.True(b.Replication.DeltasWithoutBase > 0);
        Assert.Equal(_a.Members("big:set").Order(StringComparer.Ordinal), _b.Members("big:set").Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task AChangeSkippedAsSupersededInOneBatch_IsInTheDeltaOfTheNextBatch()
    {
        var added = _a.Execute(0, static (tx, _) =>
        {
            for (var i = 0; i < 100; i++)
            {
                tx.SetAdd("big:set"u8, StoreFixture.B(i.ToString("D10", System.Globalization.CultureInfo.InvariantCulture)));
            }

            return 0;
        }, out _).Replicated;
        // Held by B, and no catch-up owed (the link's first one ends with a batch whose acknowledgement may still be on
        // its way): a catch-up after the heal would send whole states, and no delta would be tested.
        await Poll.UntilAsync(() => Card(_b, "big:set") == 100 && Idle() && _a.ReplicasHolding(added).Count == 1, "the set to replicate");
        var link = _links.Single();
        await link.CutAsync();

        // While cut, A logs: a member added to the set, then more keys than one batch carries (1,024), then another
        // member. After the heal the first batch passes the set's first entry (the set changed again since) and stops
        // before its second: the second batch's delta must still carry the first member, which B never got.
        AddMembers(_a, "big:set", 100, 1);
        _a.Do(tx =>
        {
            for (var i = 0; i < 1_100; i++)
            {
                tx.SetString(StoreFixture.B($"big:filler-{i}"), "x"u8, null, false);
            }
        });
        AddMembers(_a, "big:set", 101, 1);
        link.Heal();

        await Poll.UntilAsync(() => Card(_b, "big:set") == 102 && Idle(), "both new members to reach b");
        Assert.Equal(_a.Members("big:set").Order(StringComparer.Ordinal), _b.Members("big:set").Order(StringComparer.Ordinal));
        Assert.Equal(0, ((KvEngine)_b).Replication.DeltasWithoutBase);
        Assert.True(((KvEngine)_a).Replication.DeltasSent > 0);
    }

    [Fact]
    public async Task ALocalChangeThatAMergeFromThePeerSuperseded_StillReachesThePeer()
    {
        var link = _links.Single();
        link.Pipes.A.Hold(); // A's sends towards B wait: A's sender is stuck on its next frame
        _a.Set("big:first", "1"); // the frame it is stuck on
        await Poll.UntilAsync(() => link.Pipes.A.Waiting, "A's sender to wait on the held pipe");

        // A counts one while its sender waits; B counts one and sends it. A merges B's change: the counter's latest
        // change at A is now that merge, from B, which A does not send back to B — but it holds A's own count too.
        _a.Do(tx => tx.IncrementBy("big:count"u8, 1));
        _b.Do(tx => tx.IncrementBy("big:count"u8, 1));
        await Poll.UntilAsync(() => Count(_a) == 2, "B's count to reach A");

        link.Pipes.A.Release();
        await Poll.UntilAsync(() => _b.Get("big:first") == "1" && Idle(), "the link to settle");
        Assert.Equal(2, Count(_a));
        Assert.Equal(2, Count(_b));
    }

    private static long Count(IKvStore store) => store.Run(tx => tx.TryGetString("big:count"u8, out var value) ? long.Parse(value, System.Globalization.CultureInfo.InvariantCulture) : 0);
}

