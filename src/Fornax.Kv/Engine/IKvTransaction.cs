namespace Fornax.Kv.Engine;

/// <summary>
/// Reads and writes inside one atomic transaction. Reads see the transaction's own earlier writes. A read of
/// an expired key sees no key. Spans returned by reads are valid until the next call on the transaction.
/// Methods that need a type throw <see cref="KvException"/> (<see cref="KvException.WrongType"/>) when the key
/// holds another type. Every write is a CRDT operation stamped with the site's hybrid logical clock.
/// </summary>
public interface IKvTransaction
{
    /// <summary>The site's wall clock in Unix milliseconds, fixed for the whole transaction (expiry decisions use it).</summary>
    long NowUnixMs { get; }

    /// <summary>Set while a client's read command runs: each key it looks up counts as a keyspace hit or miss (INFO
    /// stats' <c>keyspace_hits</c>, <c>keyspace_misses</c>). Cleared when the transaction begins.</summary>
    bool CountsReads { get; set; }

    // ---- keys ----

    KvType TypeOf(ReadOnlySpan<byte> key);

    /// <summary>Deletes the key whatever its type (observed-remove: concurrent writes elsewhere survive). True if it existed.</summary>
    bool Delete(ReadOnlySpan<byte> key);

    /// <summary>The key's expiry in Unix ms, or null when it has none; null too when the key does not exist (check <see cref="TypeOf"/>).</summary>
    long? GetExpiry(ReadOnlySpan<byte> key);

    /// <summary>
    /// MEMORY USAGE: an estimate of the bytes the key takes in this site's memory, its CRDT metadata included; a set or
    /// hash larger than <paramref name="samples"/> is estimated from that many elements (0: all). Null when the key does
    /// not exist.
    /// </summary>
    long? MemoryUsage(ReadOnlySpan<byte> key, int samples);

    /// <summary>Sets (a value) or removes (null) the key's expiry; false if the key does not exist. An expiry in the past deletes the key.</summary>
    bool SetExpiry(ReadOnlySpan<byte> key, long? unixMs);

    /// <summary>Live keys (the store's arrays: do not change them) matching a Redis glob <paramref name="pattern"/> (null: all), optionally of one type, in a stable order.
    /// <paramref name="cursor"/> is 0 to start; returns the next cursor (0 when done) after at most about <paramref name="count"/> keys examined.</summary>
    long Scan(long cursor, int count, ReadOnlySpan<byte> pattern, KvType? type, List<byte[]> keys);

    /// <summary>A random live key, or null when the store is empty.</summary>
    byte[]? RandomKey();

    /// <summary>Deletes every key (FLUSHDB), replicated as deletes of what this site has observed.</summary>
    void DeleteAll();

    /// <summary>
    /// The key's version for WATCH: changes on every committed write to it, local or merged from another site. For an
    /// absent key it is a non-positive number that changes whenever any key is removed (so a key created and deleted
    /// between WATCH and EXEC is noticed; at the price of an occasional needless abort).
    /// </summary>
    long Version(ReadOnlySpan<byte> key);

    /// <summary>
    /// Writes at <paramref name="destination"/> what <paramref name="source"/> holds, with its expiry (COPY; RENAME is
    /// Copy then Delete). False, changing nothing, when the source does not exist, or the destination exists and
    /// <paramref name="replace"/> is false. A counter stays a counter. The copy is a new write at this site.
    /// </summary>
    bool Copy(ReadOnlySpan<byte> source, ReadOnlySpan<byte> destination, bool replace);

    // ---- strings and counters ----

    /// <summary>The string value (a counter renders as its decimal text); false when the key does not exist.</summary>
    bool TryGetString(ReadOnlySpan<byte> key, out ReadOnlySpan<byte> value);

    /// <summary>True when the key is a counter (created by INCR-family commands); such keys merge by summing.</summary>
    bool IsCounter(ReadOnlySpan<byte> key);

    /// <summary>Writes a last-writer-wins string value. <paramref name="expiryUnixMs"/>: null removes any expiry, unless <paramref name="keepExpiry"/>.</summary>
    void SetString(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, long? expiryUnixMs, bool keepExpiry);

    /// <summary>Adds to a counter (creating it at 0); returns the new value. Throws <see cref="KvException.NotInteger"/> or <see cref="KvException.Overflow"/>.</summary>
    long IncrementBy(ReadOnlySpan<byte> key, long delta);

    /// <summary>Adds a float to a counter (creating it at 0); returns the new value. Throws <see cref="KvException.NotFloat"/> or <see cref="KvException.NaNOrInfinity"/>.</summary>
    double IncrementByFloat(ReadOnlySpan<byte> key, double delta);

    // ---- sets ----

    /// <summary>Adds a member; true if it was not present.</summary>
    bool SetAdd(ReadOnlySpan<byte> key, ReadOnlySpan<byte> member);

    /// <summary>Removes a member (the adds this site has observed); true if it was present. The key goes when its last member does.</summary>
    bool SetRemove(ReadOnlySpan<byte> key, ReadOnlySpan<byte> member);

    bool SetContains(ReadOnlySpan<byte> key, ReadOnlySpan<byte> member);

    long SetCount(ReadOnlySpan<byte> key);

    /// <summary>Appends the members to <paramref name="members"/> (empty when the key does not exist). The arrays are the store's: do not change them.</summary>
    void SetMembers(ReadOnlySpan<byte> key, List<byte[]> members);

    // ---- hashes ----

    /// <summary>Sets a field (LWW); true if the field is new.</summary>
    bool HashSet(ReadOnlySpan<byte> key, ReadOnlySpan<byte> field, ReadOnlySpan<byte> value);

    bool HashTryGet(ReadOnlySpan<byte> key, ReadOnlySpan<byte> field, out ReadOnlySpan<byte> value);

    /// <summary>Removes a field; true if it existed. The key goes when its last field does.</summary>
    bool HashDelete(ReadOnlySpan<byte> key, ReadOnlySpan<byte> field);

    long HashCount(ReadOnlySpan<byte> key);

    /// <summary>Adds to a counter field (HINCRBY); returns the new value. Throws <see cref="KvException.HashNotInteger"/> or <see cref="KvException.Overflow"/>.</summary>
    long HashIncrementBy(ReadOnlySpan<byte> key, ReadOnlySpan<byte> field, long delta);

    double HashIncrementByFloat(ReadOnlySpan<byte> key, ReadOnlySpan<byte> field, double delta);

    /// <summary>Appends (field, value) pairs to <paramref name="entries"/> (empty when the key does not exist). The arrays may be the store's: do not change them.</summary>
    void HashEntries(ReadOnlySpan<byte> key, List<KeyValuePair<byte[], byte[]>> entries);
}
