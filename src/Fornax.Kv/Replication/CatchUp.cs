using Fornax.Kv.Engine.Crdt;

namespace Fornax.Kv.Replication;

/// <summary>
/// One catch-up of a peer by anti-entropy (as Dynamo's and Cassandra's Merkle trees): the 64-bit key tokens are cut
/// into 16 ranges, the peer sends a digest of its keys in each, and only the ranges that differ are cut again, one
/// level (4 bits) per round, until a range holds at most <see cref="LeafKeys"/> key on each side or the peer has
/// nothing in it: then this site sends its keys in that range. The keys sent are live states, so the changes made
/// meanwhile are in them; the log is resumed from <see cref="From"/> once the catch-up is acknowledged.
/// </summary>
internal sealed class CatchUp(long from, long answers)
{
    /// <summary>A range holding this many of this site's keys or fewer is sent rather than cut again.</summary>
    public const int LeafKeys = 1;

    /// <summary>The change version the catch-up started at: the log resumes after it.</summary>
    public long From { get; } = from;

    /// <summary>The stamp of the peer's ask this catch-up answers once it ends (0: none; <see cref="PeerState.AskToAnswer"/>).</summary>
    public long Answers { get; } = answers;

    /// <summary>The depth (in 4-bit levels) of the ranges asked about in this round.</summary>
    public int Depth { get; set; }

    /// <summary>Ranges of this round (at <see cref="Depth"/>) still to ask about.</summary>
    public List<ulong> Pending { get; set; } = [0];

    /// <summary>The ranges of the request awaiting the peer's digests.</summary>
    public List<ulong>? Asked { get; set; }

    /// <summary>The reply to <see cref="Asked"/> has arrived and is being compared with this site's keys (outside the
    /// store's lock): a catch-up that replaces this one meanwhile has no reply of this one's still to come.</summary>
    public bool ReplyArrived { get; set; }

    /// <summary>Ranges found different this round, to ask about in the next (at <see cref="Depth"/> + 1).</summary>
    public List<ulong> Next { get; set; } = [];

    /// <summary>Keys found different, to send.</summary>
    public Queue<KeyState> Keys { get; } = new();

    public bool ExchangeDone => Asked is null && Pending.Count == 0 && Next.Count == 0;

    /// <summary>The next request's ranges (null while one is awaited or nothing is left to ask).</summary>
    public List<ulong>? TakeRequest(int max)
    {
        if (Asked is not null)
        {
            return null;
        }

        if (Pending.Count == 0 && Next.Count > 0)
        {
            Depth++;
            Pending = Next;
            Next = [];
        }

        if (Pending.Count == 0)
        {
            return null;
        }

        var take = Math.Min(max, Pending.Count);
        Asked = Pending.GetRange(0, take);
        Pending.RemoveRange(0, take);
        return Asked;
    }
}
