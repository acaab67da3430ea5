namespace Fornax.Kv.Engine.Crdt;

/// <summary>
/// Whether a delta (a set's or hash's changes since a base, <see cref="KeyState.DeltaBase"/>) can be joined into a
/// state as if it were the sender's whole state. Two conditions:
/// <list type="bullet">
/// <item>the state has seen all the base has (its clock dominates it): what the delta leaves out is as at the base;</item>
/// <item>the state holds no dot, of an element the delta leaves out, that the sender learned of after the base: the
/// sender may have learned it was removed without ever holding it (so it did not name it), and the whole state would
/// remove it here. Only replicas both sides advanced past the base are looked at; in the usual case (one writer,
/// changes in order along a link) there are none and nothing is scanned.</item>
/// </list>
/// A delta that fails either is not applied: the receiver gets the whole state by a catch-up instead.
/// </summary>
internal static class DeltaReadiness
{
    public static bool CanApply(KeyState? state, KeyState delta)
    {
        if (delta.DeltaBase is not { } deltaBase)
        {
            return true;
        }

        if (state is null || !state.Clock.Dominates(deltaBase))
        {
            return false;
        }

        List<Dot>? ranges = null; // per replica: base entry (as a dot) whose later dots the sender learned after the base
        foreach (var dot in delta.Clock.Entries)
        {
            var below = deltaBase.Get(dot.Replica);
            if (dot.Hlc > below && state.Clock.Get(dot.Replica) > below)
            {
                (ranges ??= []).Add(new Dot(dot.Replica, below));
            }
        }

        if (ranges is null)
        {
            return true;
        }

        bool Hidden(Dot dot) => ranges.Exists(r => r.Replica == dot.Replica && dot.Hlc > r.Hlc) && delta.Clock.Covers(dot);

        foreach (var (member, dots) in state.Members ?? [])
        {
            if (delta.Members?.ContainsKey(member) != true && Array.Exists(dots, d => Hidden(d.Stamp)))
            {
                return false;
            }
        }

        foreach (var (field, cell) in state.Fields ?? [])
        {
            if (delta.Fields?.ContainsKey(field) != true &&
                (Array.Exists(cell.Registers, r => Hidden(r.Stamp)) || Array.Exists(cell.Counters, c => Hidden(c.Stamp))))
            {
                return false;
            }
        }

        return true;
    }
}
