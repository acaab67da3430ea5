namespace Fornax.Kv.Engine;

/// <summary>The kind of value a key holds, as Redis' <c>TYPE</c> names it (a counter is a <c>string</c>).</summary>
public enum KvType
{
    /// <summary>The key does not exist (or has expired).</summary>
    None,

    /// <summary>A last-writer-wins register, or a PN-counter (see <see cref="IKvTransaction.IsCounter"/>).</summary>
    String,

    /// <summary>An add-wins observed-remove set.</summary>
    Set,

    /// <summary>An observed-remove map of LWW registers (HINCRBY fields are counters).</summary>
    Hash,
}
