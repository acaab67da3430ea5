using Fornax.Kv.Engine.Crdt;

namespace Fornax.Kv.Engine;

/// <summary>
/// A large set's or hash's whole state merged into the one this site holds, off the store's lock: element by element
/// under it, a 950,000-field hash took a few hundred milliseconds, during which no client of the site was served.
/// </summary>
internal sealed partial class KvEngine
{
    /// <summary>
    /// Merges <paramref name="remote"/> (a whole state, this site's to own) into a copy of the key taken under the lock,
    /// off it, then installs the result if the key did not change meanwhile. False, with nothing changed, when the key
    /// is not held here or not large (the usual merge serves), or changed while the copy was merged (the caller merges
    /// under the lock instead). A key <paramref name="accept"/> refuses is left to that merge too, which skips it.
    /// </summary>
    public bool TryMergeLargeOffLock(KeyState remote, object? source, Func<KeyState, bool> accept)
    {
        KeyState local;
        KeyState merged;
        lock (_gate)
        {
            if (remote.DeltaBase is not null || !remote.IsLarge || !accept(remote) || _table.Find(remote.Key) is not { IsLarge: true } held)
            {
                return false;
            }

            local = held;
            merged = held.CopyForEncoding();
        }

        EncodingLarge?.Invoke("merge");
        var changed = KeyMerge.MergeInto(merged, remote); // the copy notes the elements that changed, as the key would

        lock (_gate)
        {
            if (local.Removed || local.Version != merged.Version)
            {
                return false; // written meanwhile: the merge under the lock sees the write
            }

            foreach (var dot in remote.Clock.Entries)
            {
                _clock.Observe(dot.Hlc); // later local writes order after what was seen, as in any merge
            }

            if (!changed)
            {
                return true;
            }

            // As MergeLocked: a remote state that has seen everything this one had is the join, which its source holds.
            if (!remote.Clock.Dominates(local.Clock))
            {
                source = null;
            }

            Install(local, merged);
            Changed(local, source);
            _disk?.CommitAsync();
            return true;
        }
    }

    /// <summary>Makes <paramref name="state"/> what <paramref name="merged"/> (a merged copy of it) holds, and tells the
    /// disk writer and the delta history which elements changed (under the lock).</summary>
    private static void Install(KeyState state, KeyState merged)
    {
        state.Str = merged.Str;
        state.Members = merged.Members;
        state.Fields = merged.Fields;
        state.Expiry = merged.Expiry;
        state.Clock.MergeFrom(merged.Clock);
        if (merged.RewriteElements)
        {
            state.ElementsReplaced();
        }
        else
        {
            foreach (var member in merged.DirtyMembers ?? [])
            {
                state.MemberChanged(member);
            }

            foreach (var field in merged.DirtyFields ?? [])
            {
                state.FieldChanged(field);
            }
        }

        state.RecomputeDerived();
    }
}
