namespace Fornax.Kv.Engine.Crdt;

/// <summary>
/// One write event: the replica that made it and that replica's hybrid-logical-clock time of it. A dot is unique
/// (a replica never reuses a time) and doubles as the last-writer-wins order: later HLC wins, the replica id breaks ties.
/// </summary>
internal readonly record struct Dot(ulong Replica, long Hlc) : IComparable<Dot>
{
    public int CompareTo(Dot other)
    {
        var byTime = Hlc.CompareTo(other.Hlc);
        return byTime != 0 ? byTime : Replica.CompareTo(other.Replica);
    }

    public static bool operator >(Dot left, Dot right) => left.CompareTo(right) > 0;

    public static bool operator <(Dot left, Dot right) => left.CompareTo(right) < 0;

    public static bool operator >=(Dot left, Dot right) => left.CompareTo(right) >= 0;

    public static bool operator <=(Dot left, Dot right) => left.CompareTo(right) <= 0;
}

/// <summary>An entry of a dot store: kept or dropped on merge by whether the other side has seen its dot.</summary>
internal interface IDotted
{
    Dot Stamp { get; }
}
