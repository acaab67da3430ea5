namespace Fornax.Kv.Engine.Crdt;

/// <summary>
/// What replication needs to send a set's or a hash's change as a delta (the elements it changed) instead of its whole
/// state: the element names each change touched and the key's clock after it (<see cref="DeltaHistory"/>). A received
/// delta is a <see cref="KeyState"/> whose <see cref="DeltaBase"/> is set. Under the store's lock.
/// </summary>
internal sealed partial class KeyState
{
    /// <summary>Members changed by the change being committed (moved into <see cref="Deltas"/> by replication).</summary>
    public HashSet<byte[]>? ChangingMembers { get; private set; }

    /// <summary>Fields changed by the change being committed.</summary>
    public HashSet<byte[]>? ChangingFields { get; private set; }

    /// <summary>The change being committed replaced the collection as a whole: the next delta starts from it.</summary>
    public bool ChangingWhole { get; private set; }

    /// <summary>Recent changes of a replicated collection (null: none kept; every peer gets the whole state).</summary>
    public DeltaHistory? Deltas { get; set; }

    /// <summary>
    /// Set on a delta received from a peer: the sender's clock of the key before the changes the delta carries. A
    /// receiver whose clock has seen less may lack elements the delta does not mention, so it takes the whole state
    /// (a catch-up) instead. Null on a whole state.
    /// </summary>
    public VersionVector? DeltaBase { get; set; }

    private static void ElementChanging(ref HashSet<byte[]>? names, bool whole, byte[] name)
    {
        if (!whole)
        {
            (names ??= new HashSet<byte[]>(ByteArrayComparer.Instance)).Add(name);
        }
    }

    private void MemberChanging(byte[] member)
    {
        var names = ChangingMembers;
        ElementChanging(ref names, ChangingWhole, member);
        ChangingMembers = names;
    }

    private void FieldChanging(byte[] field)
    {
        var names = ChangingFields;
        ElementChanging(ref names, ChangingWhole, field);
        ChangingFields = names;
    }

    private void WholeChanging()
    {
        ChangingWhole = true;
        ChangingMembers = null;
        ChangingFields = null;
    }

    /// <summary>Replication took (or did not need) what the committed change touched.</summary>
    public void ChangeTaken()
    {
        ChangingWhole = false;
        ChangingMembers = null;
        ChangingFields = null;
    }
}
