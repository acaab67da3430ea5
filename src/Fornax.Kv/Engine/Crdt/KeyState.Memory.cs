using System.Runtime.CompilerServices;

namespace Fornax.Kv.Engine.Crdt;

/// <summary>
/// MEMORY USAGE: what a key takes in this site's memory, counted from the objects that hold it on a 64-bit runtime
/// (object headers, references and array lengths included, as Redis counts its allocations with their overhead). The
/// CRDT's metadata is part of it: every value, member and field carries its dots, and the key its version vector.
/// </summary>
internal sealed partial class KeyState
{
    private const int ObjectHeader = 16;
    private const int ArrayHeader = 24;
    private const int Reference = 8;

    /// <summary>This object and its version vector (checked against the runtime in a test: a field added here must be counted).</summary>
    internal const int FixedBytes = 208 + VectorBytes;

    /// <summary>A <see cref="VersionVector"/>: header, its array reference and count, padded.</summary>
    internal const int VectorBytes = ObjectHeader + Reference + 8;

    /// <summary>The key table's entry (a dictionary entry: hash, next, key and value; its bucket) and the key's slot.</summary>
    private const int TableEntryBytes = 24 + 4 + Reference;

    /// <summary>A dictionary entry of a set's member or a hash's field, with its bucket.</summary>
    private const int ElementEntryBytes = 24 + 4;

    /// <summary>
    /// The estimate; a set or hash with more than <paramref name="samples"/> elements is estimated from that many of
    /// them (0: all), as Redis' <c>SAMPLES</c> does, so the answer for a large collection does not walk it.
    /// </summary>
    public long MemoryBytes(int samples)
    {
        long bytes = FixedBytes + TableEntryBytes + ArrayBytes(Key.Length, 1) + ArrayBytes(Clock.Entries.Length, Unsafe.SizeOf<Dot>())
                     + ArrayBytes(Expiry.Length, Unsafe.SizeOf<ExpiryEntry>());
        if (!Str.IsEmpty)
        {
            bytes += CellMemory(Str);
        }

        if (Members is { Count: > 0 } members)
        {
            bytes += DictionaryBytes + Sampled(members, samples, static (member, dots) =>
                ElementEntryBytes + ArrayBytes(member.Length, 1) + ArrayBytes(dots.Length, Unsafe.SizeOf<AddDot>()));
        }

        if (Fields is { Count: > 0 } fields)
        {
            bytes += DictionaryBytes + Sampled(fields, samples, static (field, cell) =>
                ElementEntryBytes + ArrayBytes(field.Length, 1) + CellMemory(cell));
        }

        return bytes;
    }

    /// <summary>A dictionary object with its bucket and entry arrays' headers.</summary>
    private const int DictionaryBytes = 80 + (2 * ArrayHeader);

    private static long Sampled<T>(Dictionary<byte[], T> elements, int samples, Func<byte[], T, long> size)
    {
        long sum = 0;
        var seen = 0;
        foreach (var (name, value) in elements)
        {
            sum += size(name, value);
            if (++seen == samples)
            {
                break;
            }
        }

        return seen == elements.Count ? sum : sum * elements.Count / seen;
    }

    private static long CellMemory(ValueCell cell)
    {
        long bytes = ObjectHeader + (2 * Reference) + ArrayBytes(cell.Registers.Length, Unsafe.SizeOf<Register>())
                     + ArrayBytes(cell.Counters.Length, Unsafe.SizeOf<CounterShare>());
        foreach (var register in cell.Registers)
        {
            bytes += ArrayBytes(register.Value.Length, 1);
        }

        return bytes;
    }

    /// <summary>An array of <paramref name="length"/> items: header and items, rounded up to 8 bytes; an empty one is shared (none).</summary>
    private static long ArrayBytes(int length, int itemBytes) => length == 0 ? 0 : ArrayHeader + (((long)length * itemBytes + 7) & ~7L);
}
