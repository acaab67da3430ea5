using Fornax.Functions.State;
using Fornax.Kv.Engine;
using Fornax.Node.Kv;

namespace Fornax.Node.Functions;

/// <summary>
/// Functions' view of the site's KV store: each call is one transaction of the local <see cref="IKvStore"/>, in process,
/// exactly what a RESP command costs minus the protocol. Keyspace names resolve through <see cref="KeyspaceDirectory"/>.
/// </summary>
internal sealed partial class KvFunctionState(IKvStore store, KeyspaceDirectory keyspaces) : IFunctionStateStore
{
    // One list per thread for set and hash reads: a guest runs on one thread from start to end.
    [ThreadStatic]
    private static List<byte[]>? t_items;

    [ThreadStatic]
    private static List<KeyValuePair<byte[], byte[]>>? t_entries;

    public byte[]? Prefix(string ns, string keyspace) => keyspaces.Prefix(ns, keyspace);

    public int Get(ReadOnlySpan<byte> key, Span<byte> destination)
    {
        Run(new Args(key, default, default, destination), static (tx, a) =>
        {
            if (!tx.TryGetString(a.Key, out var value))
            {
                return -1;
            }

            return CopyIfFits(value, a.Destination);
        }, out int length);
        return length;
    }

    public void Set(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, out Task? durable) =>
        durable = Run(new Args(key, default, value, default), static (tx, a) =>
        {
            tx.SetString(a.Key, a.Value, null, keepExpiry: false);
            return 0;
        }, out _);

    public bool Delete(ReadOnlySpan<byte> key, out Task? durable)
    {
        durable = Run(new Args(key, default, default, default), static (tx, a) => tx.Delete(a.Key), out bool existed);
        return existed;
    }

    public long Increment(ReadOnlySpan<byte> key, long delta, out Task? durable)
    {
        durable = Run(new Args(key, default, default, default, delta), static (tx, a) => tx.IncrementBy(a.Key, a.Delta), out long value);
        return value;
    }

    private static int CopyIfFits(ReadOnlySpan<byte> value, Span<byte> destination)
    {
        if (value.Length <= destination.Length)
        {
            value.CopyTo(destination);
        }

        return value.Length;
    }

    /// <summary>
    /// Runs one transaction and translates the store's refusals (<see cref="KvException"/>: nothing applied) into the
    /// guest's statuses. Returns the durability task, or null when the write is already durable under the site's policy.
    /// </summary>
    private Task? Run<TState, TResult>(TState state, KvTransactionBody<TState, TResult> body, out TResult result)
        where TState : allows ref struct
    {
        KvCommit commit;
        try
        {
            commit = store.Execute(state, body, out result);
        }
        catch (KvException e)
        {
            throw new FunctionStateException(e.Message switch
            {
                KvException.WrongType => FunctionStateError.WrongType,
                KvException.ReadOnly => FunctionStateError.ReadOnly,
                _ => FunctionStateError.NotInteger,
            }, e.Message);
        }

        return commit.IsCompleted ? null : commit.WaitAsync().AsTask();
    }

    /// <summary>A call's spans, passed into the transaction without copying.</summary>
    private readonly ref struct Args(ReadOnlySpan<byte> key, ReadOnlySpan<byte> field, ReadOnlySpan<byte> value, Span<byte> destination, long delta = 0)
    {
        public long Delta { get; } = delta;
        public ReadOnlySpan<byte> Key { get; } = key;
        public ReadOnlySpan<byte> Field { get; } = field;
        public ReadOnlySpan<byte> Value { get; } = value;
        public Span<byte> Destination { get; } = destination;
    }
}
