using Fornax.Functions.State;
using Fornax.Node.Functions;
using Fornax.Scheduling.Locality;

namespace Fornax.Node.Locality;

/// <summary>
/// Functions' view of the KV store, locality-aware: a read of a keyspace this site does not hold goes over the link to
/// the site the invocation's <see cref="InvocationReads"/> names (when the locality choice said to move the data);
/// everything else is the local store (<see cref="KvFunctionState"/>), as before. Every read of a bound keyspace is
/// counted for the sizes seen, and reported to the <see cref="ReplicaAdvisor"/> (over the link, or from a copy held here).
/// Writes are always local: a function that writes runs where its data is, or on the local store when none serves it.
/// </summary>
internal sealed class LocalityFunctionState(KvFunctionState local, RemoteKeyReader remote, ReplicaAdvisor advisor) : IFunctionStateStore
{
    public byte[]? Prefix(string ns, string keyspace) => local.Prefix(ns, keyspace);

    public int Get(ReadOnlySpan<byte> key, Span<byte> destination) =>
        (int)Read("get", key, default, destination, static (l, k, _, d) => l.Get(k, d));

    public int HashGet(ReadOnlySpan<byte> key, ReadOnlySpan<byte> field, Span<byte> destination) =>
        (int)Read("hget", key, field, destination, static (l, k, f, d) => l.HashGet(k, f, d));

    public long SetMembers(ReadOnlySpan<byte> key, Span<byte> destination) =>
        Read("smembers", key, default, destination, static (l, k, _, d) => l.SetMembers(k, d));

    public long HashEntries(ReadOnlySpan<byte> key, Span<byte> destination) =>
        Read("hgetall", key, default, destination, static (l, k, _, d) => l.HashEntries(k, d));

    public void Set(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, out Task? durable) => local.Set(key, value, out durable);

    public bool Delete(ReadOnlySpan<byte> key, out Task? durable) => local.Delete(key, out durable);

    public long Increment(ReadOnlySpan<byte> key, long delta, out Task? durable) => local.Increment(key, delta, out durable);

    public bool SetAdd(ReadOnlySpan<byte> key, ReadOnlySpan<byte> member, out Task? durable) => local.SetAdd(key, member, out durable);

    public bool HashSet(ReadOnlySpan<byte> key, ReadOnlySpan<byte> field, ReadOnlySpan<byte> value, out Task? durable) => local.HashSet(key, field, value, out durable);

    public long HashIncrement(ReadOnlySpan<byte> key, ReadOnlySpan<byte> field, long delta, out Task? durable) => local.HashIncrement(key, field, delta, out durable);

    private delegate long LocalRead(KvFunctionState local, ReadOnlySpan<byte> key, ReadOnlySpan<byte> field, Span<byte> destination);

    private long Read(string op, ReadOnlySpan<byte> key, ReadOnlySpan<byte> field, Span<byte> destination, LocalRead read)
    {
        if (InvocationReads.Current is not { } reads || reads.Find(key) is not { } keyspace)
        {
            return read(local, key, field, destination);
        }

        var repeat = reads.Repeats(op, key, field);
        if (keyspace.Held || keyspace.ReadFrom is not { } site)
        {
            var length = read(local, key, field, destination);
            reads.Ended(op, key, field, null, length <= destination.Length);
            if (!repeat)
            {
                reads.Count(length);
                if (keyspace.Held)
                {
                    advisor.RecordRead(keyspace.Id, remote: false);
                }
            }

            return length;
        }

        var value = repeat && reads.LastRemoteValue is { } kept ? kept : RemoteRead(reads, keyspace, site, op, key, field);
        reads.Ended(op, key, field, value, value is null || value.Length <= destination.Length);
        if (value is null)
        {
            return -1;
        }

        if (value.Length <= destination.Length)
        {
            value.CopyTo(destination);
        }

        return value.Length;
    }

    private byte[]? RemoteRead(InvocationReads reads, BoundKeyspace keyspace, string site, string op, ReadOnlySpan<byte> key, ReadOnlySpan<byte> field)
    {
        var value = remote.Read(site, keyspace, op, key, field);
        reads.Count(value?.Length ?? 0);
        advisor.RecordRead(keyspace.Id, remote: true);
        return value;
    }
}
