using Fornax.Kv.Engine.Crdt;

namespace Fornax.Kv.Engine;

/// <summary>Sets: add-wins observed-remove sets (a member is present while some add of it has not been removed).</summary>
internal sealed partial class KvTransaction
{
    public bool SetAdd(ReadOnlySpan<byte> key, ReadOnlySpan<byte> member)
    {
        LiveOfType(key, KvType.Set);
        var state = ForWrite(key, KvType.Set);
        var members = state.Members ??= new Dictionary<byte[], AddDot[]>(ByteArrayComparer.Instance);
        var lookup = members.GetAlternateLookup<ReadOnlySpan<byte>>();
        var present = lookup.TryGetValue(member, out var name, out var old);
        name ??= member.ToArray();
        SnapshotMember(state, members, name, old);

        // A new add even of a present member: it is what wins over a remove elsewhere that has not seen it (add-wins).
        members[name] = [new AddDot(NewDot(state))];
        state.Type = KvType.Set;
        return !present;
    }

    public bool SetRemove(ReadOnlySpan<byte> key, ReadOnlySpan<byte> member)
    {
        var state = LiveOfType(key, KvType.Set);
        if (state?.Members is not { } members ||
            !members.GetAlternateLookup<ReadOnlySpan<byte>>().Remove(member, out var name, out var dots))
        {
            return false;
        }

        Snapshot(state);
        SnapshotMember(state, members, name, dots);
        AfterRemoval(state);
        return true;
    }

    public bool SetContains(ReadOnlySpan<byte> key, ReadOnlySpan<byte> member) =>
        LiveOfType(key, KvType.Set)?.Members is { } members && members.GetAlternateLookup<ReadOnlySpan<byte>>().ContainsKey(member);

    public long SetCount(ReadOnlySpan<byte> key) => LiveOfType(key, KvType.Set)?.Members?.Count ?? 0;

    public void SetMembers(ReadOnlySpan<byte> key, List<byte[]> members)
    {
        if (LiveOfType(key, KvType.Set)?.Members is { } stored)
        {
            members.AddRange(stored.Keys);
        }
    }
}
