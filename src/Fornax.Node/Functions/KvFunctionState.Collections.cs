using Fornax.Functions.State;

namespace Fornax.Node.Functions;

/// <summary>Sets and hashes.</summary>
internal sealed partial class KvFunctionState
{
    public bool SetAdd(ReadOnlySpan<byte> key, ReadOnlySpan<byte> member, out Task? durable)
    {
        durable = Run(new Args(key, default, member, default), static (tx, a) => tx.SetAdd(a.Key, a.Value), out bool added);
        return added;
    }

    public long SetMembers(ReadOnlySpan<byte> key, Span<byte> destination)
    {
        Run(new Args(key, default, default, destination), static (tx, a) =>
        {
            var items = t_items ??= [];
            items.Clear();
            try
            {
                tx.SetMembers(a.Key, items);
                return StateLists.Encode(items, a.Destination);
            }
            finally
            {
                items.Clear();
            }
        }, out long length);
        return length;
    }

    public bool HashSet(ReadOnlySpan<byte> key, ReadOnlySpan<byte> field, ReadOnlySpan<byte> value, out Task? durable)
    {
        durable = Run(new Args(key, field, value, default), static (tx, a) => tx.HashSet(a.Key, a.Field, a.Value), out bool added);
        return added;
    }

    public int HashGet(ReadOnlySpan<byte> key, ReadOnlySpan<byte> field, Span<byte> destination)
    {
        Run(new Args(key, field, default, destination), static (tx, a) =>
            tx.HashTryGet(a.Key, a.Field, out var value) ? CopyIfFits(value, a.Destination) : -1, out int length);
        return length;
    }

    public long HashIncrement(ReadOnlySpan<byte> key, ReadOnlySpan<byte> field, long delta, out Task? durable)
    {
        durable = Run(new Args(key, field, default, default, delta), static (tx, a) => tx.HashIncrementBy(a.Key, a.Field, a.Delta), out long value);
        return value;
    }

    public long HashEntries(ReadOnlySpan<byte> key, Span<byte> destination)
    {
        Run(new Args(key, default, default, destination), static (tx, a) =>
        {
            var entries = t_entries ??= [];
            var items = t_items ??= [];
            entries.Clear();
            items.Clear();
            try
            {
                tx.HashEntries(a.Key, entries);
                foreach (var (field, value) in entries)
                {
                    items.Add(field);
                    items.Add(value);
                }

                return StateLists.Encode(items, a.Destination);
            }
            finally
            {
                entries.Clear();
                items.Clear();
            }
        }, out long length);
        return length;
    }
}
