namespace Fornax.Functions.State;

/// <summary>
/// The site's KV store as functions see it: one atomic operation of the local store per call, in process (no network
/// on the path). The engine checks every key against the function's <see cref="FunctionStateBinding"/> before calling;
/// the node implements this over its store. Refusals of the store itself (a key of another type, a value that is not a
/// number, a full disk) are thrown as <see cref="FunctionStateException"/> with nothing changed.
/// A write reports in <c>durable</c> the task that completes once it is durable under the site's policy (null when it
/// already is): the invocation's response waits for it, so a response never acknowledges a write that could be lost.
/// </summary>
public interface IFunctionStateStore
{
    /// <summary>The prefix (UTF-8) of the Keyspace named <paramref name="keyspace"/> in <paramref name="ns"/> at this site, or null when there is none.</summary>
    byte[]? Prefix(string ns, string keyspace);

    /// <summary>The string (or counter, as decimal text) at <paramref name="key"/>: its length, copied into <paramref name="destination"/> when it fits; -1 when absent.</summary>
    int Get(ReadOnlySpan<byte> key, Span<byte> destination);

    void Set(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, out Task? durable);

    /// <summary>True when the key existed.</summary>
    bool Delete(ReadOnlySpan<byte> key, out Task? durable);

    /// <summary>Adds to a counter (replicas add up: every increment counts once); the new value.</summary>
    long Increment(ReadOnlySpan<byte> key, long delta, out Task? durable);

    /// <summary>True when the member is new.</summary>
    bool SetAdd(ReadOnlySpan<byte> key, ReadOnlySpan<byte> member, out Task? durable);

    /// <summary>The members in the <see cref="StateLists"/> encoding: its length, copied into <paramref name="destination"/> when it fits.</summary>
    long SetMembers(ReadOnlySpan<byte> key, Span<byte> destination);

    /// <summary>True when the field is new.</summary>
    bool HashSet(ReadOnlySpan<byte> key, ReadOnlySpan<byte> field, ReadOnlySpan<byte> value, out Task? durable);

    /// <summary>The field's value: its length, copied into <paramref name="destination"/> when it fits; -1 when absent.</summary>
    int HashGet(ReadOnlySpan<byte> key, ReadOnlySpan<byte> field, Span<byte> destination);

    /// <summary>Adds to a counter field; the new value.</summary>
    long HashIncrement(ReadOnlySpan<byte> key, ReadOnlySpan<byte> field, long delta, out Task? durable);

    /// <summary>Field, value, field, value… in the <see cref="StateLists"/> encoding: its length, copied when it fits.</summary>
    long HashEntries(ReadOnlySpan<byte> key, Span<byte> destination);
}

/// <summary>Why the store refused an operation; the value is the status the guest receives.</summary>
public enum FunctionStateError
{
    /// <summary>The key holds another type (a set where a string was asked for…).</summary>
    WrongType = -2,

    /// <summary>An increment of a value that is not an integer, or past the 64-bit range.</summary>
    NotInteger = -3,

    /// <summary>The store refuses writes (the site's disk is full); reads go on.</summary>
    ReadOnly = -4,
}

/// <summary>A refusal of the store: nothing was changed. The guest gets <see cref="Error"/> as the call's status.</summary>
public sealed class FunctionStateException(FunctionStateError error, string message) : Exception(message)
{
    public FunctionStateError Error { get; } = error;
}
