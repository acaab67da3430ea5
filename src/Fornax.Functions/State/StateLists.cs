using System.Buffers.Binary;

namespace Fornax.Functions.State;

/// <summary>
/// How a list of byte strings (set members; hash fields and values, alternating) reaches a guest: each item as a
/// 4-byte little-endian length then its bytes, back to back. Length-prefixed rather than separated, so members may hold
/// any byte; the guest learns the total first and reads the list only when it fits its buffer (all or nothing).
/// </summary>
public static class StateLists
{
    /// <summary>The encoded length of <paramref name="items"/>; the encoding is written to <paramref name="destination"/> only when it fits.</summary>
    public static long Encode(IReadOnlyList<byte[]> items, Span<byte> destination)
    {
        long total = 0;
        for (var i = 0; i < items.Count; i++) total += 4 + items[i].Length;
        if (total <= destination.Length)
        {
            var at = 0;
            for (var i = 0; i < items.Count; i++)
            {
                BinaryPrimitives.WriteInt32LittleEndian(destination[at..], items[i].Length);
                items[i].CopyTo(destination[(at + 4)..]);
                at += 4 + items[i].Length;
            }
        }

        return total;
    }
}
