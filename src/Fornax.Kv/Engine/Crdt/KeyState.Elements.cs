namespace Fornax.Kv.Engine.Crdt;

/// <summary>
/// What of a set's members or a hash's fields changed since the disk writer last wrote the key: each element is its own
/// RocksDB record, so a write to a collection of any size costs the elements it changed, not the whole collection.
/// Under the store's lock.
/// </summary>
internal sealed partial class KeyState
{
    /// <summary>Members added, re-added or removed since the last write (null: none).</summary>
    public HashSet<byte[]>? DirtyMembers { get; private set; }

    /// <summary>Fields set, incremented or removed since the last write (null: none).</summary>
    public HashSet<byte[]>? DirtyFields { get; private set; }

    /// <summary>The collection was replaced as a whole (a delete, a type change, a copy, an undo): every element record is rewritten.</summary>
    public bool RewriteElements { get; private set; }

    /// <summary>Element records of this key may be on disk (so a rewrite or a removal must delete them).</summary>
    public bool ElementsOnDisk { get; set; }

    public void MemberChanged(byte[] member)
    {
        MemberChanging(member);
        if (!RewriteElements)
        {
            (DirtyMembers ??= new HashSet<byte[]>(ByteArrayComparer.Instance)).Add(member);
        }
    }

    public void FieldChanged(byte[] field)
    {
        FieldChanging(field);
        if (!RewriteElements)
        {
            (DirtyFields ??= new HashSet<byte[]>(ByteArrayComparer.Instance)).Add(field);
        }
    }

    public void ElementsReplaced()
    {
        WholeChanging();
        RewriteElements = true;
        DirtyMembers = null;
        DirtyFields = null;
    }

    /// <summary>The disk writer took the changes (under the lock).</summary>
    public void ElementsWritten()
    {
        RewriteElements = false;
        DirtyMembers = null;
        DirtyFields = null;
    }
}
