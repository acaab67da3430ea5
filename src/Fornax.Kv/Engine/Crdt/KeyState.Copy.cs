namespace Fornax.Kv.Engine.Crdt;

/// <summary>
/// Large sets and hashes are encoded off the store's lock. Encoding costs about half a microsecond an element (each
/// member or field is a cache miss or three, and the canonical form sorts them), so a hash of 950,000 fields held the
/// lock — every client of the site — for half a second each time it was encoded for a peer or a digest.
/// </summary>
internal sealed partial class KeyState
{
    /// <summary>Members and fields above which a state is <see cref="IsLarge"/>.</summary>
    public const int LargeElements = 4096;

    public int ElementCount => (Members?.Count ?? 0) + (Fields?.Count ?? 0);

    /// <summary>Encoded from a <see cref="CopyForEncoding"/> off the store's lock, not under it.</summary>
    public bool IsLarge => ElementCount > LargeElements;

    /// <summary>
    /// A copy to encode off the store's lock, made under it: the element tables are copied (a copy of a dictionary
    /// with the same comparer takes its entries and stored hashes, without hashing or reading a key), the clock cloned;
    /// everything they hold (dot arrays, cells, names, values) is never changed in place, only replaced, so the copy
    /// stays as the state was. Bookkeeping is left out but the version, which says what the copy is of.
    /// </summary>
    public KeyState CopyForEncoding() => new(Key)
    {
        Clock = Clock.Clone(),
        Str = Str,
        Members = Members is null ? null : new Dictionary<byte[], AddDot[]>(Members, ByteArrayComparer.Instance),
        Fields = Fields is null ? null : new Dictionary<byte[], ValueCell>(Fields, ByteArrayComparer.Instance),
        Expiry = Expiry,
        Type = Type,
        ExpiresAt = ExpiresAt,
        Version = Version,
    };
}
